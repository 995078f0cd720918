"""Versioned schema migrations, applied in order of their number."""
