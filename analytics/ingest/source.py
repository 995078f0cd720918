"""Where an import's bytes come from: a file on disk or bytes in memory, read in blocks so that no
file need be held whole, and refused before it is read when it is larger than an import may be."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from analytics.ingest.errors import ImportRefused, Problem
from analytics.settings import setting

#: How much of a file is read at a time.
BLOCK_BYTES = 4 * 1024 * 1024


class Source:
    """One file to import: its name (for messages) and its bytes, from `path` or `data`."""

    def __init__(self, name: str, *, path: Path | None = None, data: bytes | None = None) -> None:
        if (path is None) == (data is None):
            raise ValueError("a source is a path or bytes, not both")
        self.name = name
        self.path = path
        self.data = data

    @classmethod
    def of(cls, name: str, data: bytes | Source) -> Source:
        """`data` as a source named `name` (a source is returned as it is)."""
        return data if isinstance(data, Source) else cls(name, data=data)

    @property
    def size(self) -> int:
        """The file's size in bytes."""
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self._on_disk(lambda path: path.stat().st_size)

    def open(self) -> BinaryIO:
        """The bytes as a binary stream (the caller closes it)."""
        if self.data is not None:
            return io.BytesIO(self.data)  # shares the bytes, copies nothing
        assert self.path is not None
        return self._on_disk(lambda path: path.open("rb"))

    def blocks(self, size: int = BLOCK_BYTES) -> Iterator[bytes]:
        """The bytes, `size` at a time."""
        if self.data is not None:
            view = memoryview(self.data)
            for start in range(0, len(view), size):
                yield bytes(view[start : start + size])
            return
        with self.open() as stream:
            while block := stream.read(size):
                yield block

    def head(self, size: int) -> bytes:
        """The first `size` bytes."""
        if self.data is not None:
            return self.data[:size]
        with self.open() as stream:
            return stream.read(size)

    def sha256(self) -> str:
        """The SHA-256 of the bytes, read in blocks."""
        if self.data is not None:
            return hashlib.sha256(self.data).hexdigest()
        digest = hashlib.sha256()
        for block in self.blocks():
            digest.update(block)
        return digest.hexdigest()

    def refuse_if_too_large(self) -> None:
        """Refuse a file larger than an import reads (`ROLLCALL_UPLOAD_LIMIT_MB`), unread."""
        limit = setting("upload_limit_mb")
        self.refuse_if_larger_than(limit, "the most one import reads (ROLLCALL_UPLOAD_LIMIT_MB)")

    def refuse_if_larger_than(self, megabytes: int, why: str) -> None:
        """Refuse the file, unread, when it is larger than `megabytes` (`why` says whose limit)."""
        if self.size > megabytes * 1024 * 1024:
            message = (
                f"is larger than {megabytes} MB, {why}: split it, by term or by year, and import "
                "the parts in order"
            )
            raise ImportRefused(self.name, [Problem(None, None, message)])

    def _on_disk(self, action):
        assert self.path is not None
        try:
            return action(self.path)
        except OSError as error:
            raise ImportRefused(
                self.name, [Problem(None, None, f"could not be read ({error.strerror})")]
            ) from None
