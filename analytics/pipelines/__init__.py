"""Polars pipelines that compute the DfE attendance measures.

Steps are pure functions of LazyFrames; nothing here reads the database or collects, except
where a docstring says so. `reports` wires the store to these steps and collects at the edge.
"""
