"""Importers for MIS exports: pupils, marks, register grids, CTF XML, behaviour and exclusions."""

from analytics.ingest.errors import ImportRefused, Problem
from analytics.ingest.run import KINDS, ImportResult, import_bytes, import_file

__all__ = ["KINDS", "ImportRefused", "ImportResult", "Problem", "import_bytes", "import_file"]
