"""Importers for MIS exports: pupils, marks, register grids, CTF XML, behaviour and exclusions."""

from analytics.ingest.errors import ImportRefused, Problem
from analytics.ingest.run import (
    KINDS,
    ImportJob,
    ImportResult,
    import_bytes,
    import_file,
    import_files,
)

__all__ = [
    "KINDS",
    "ImportJob",
    "ImportRefused",
    "ImportResult",
    "Problem",
    "import_bytes",
    "import_file",
    "import_files",
]
