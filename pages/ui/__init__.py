"""The thin UI layer the pages share: filters kept in the URL, cached data calls, formatting.

Not a page. It holds no business rule: every figure comes from `analytics`.
"""
