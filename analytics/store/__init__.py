"""The DuckDB store: the only package that talks to the database."""

from analytics.store.database import Database, DatabaseMissing

__all__ = ["Database", "DatabaseMissing"]
