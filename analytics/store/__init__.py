"""The DuckDB store: the only package that talks to the database."""

from analytics.store.database import Connection, Database, DatabaseMissing

__all__ = ["Connection", "Database", "DatabaseMissing"]
