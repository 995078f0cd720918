"""The DuckDB store: the only package that talks to the database."""

from analytics.store.database import (
    Connection,
    Database,
    DatabaseBusy,
    DatabaseKeyError,
    DatabaseMissing,
)

__all__ = ["Connection", "Database", "DatabaseBusy", "DatabaseKeyError", "DatabaseMissing"]
