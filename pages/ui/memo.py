"""The app's one cache of figures, shared by every session and bounded by the memory it holds.

Streamlit's own caches are bounded by how many entries they keep, however large each is (one
trust's register held four times over was several gigabytes). This one keeps the results of the
functions decorated with `shared` until they hold `ROLLCALL_CACHE_MB` between them, then lets
the least recently used go. Results are keyed on the call's arguments, which are plain values
and the database's data version, so a new import is simply a new key and old entries age out.

A result is shared, not copied: callers must not change it (Polars frames cannot be changed in
place). Two sessions asking for the same figures at once compute them once; no lock is held
while anything is computed, so one slow computation never holds up another.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar

import polars as pl

from analytics.settings import setting

F = TypeVar("F", bound=Callable[..., Any])
_MB = 1024 * 1024


def size_of(value: Any, seen: set[int] | None = None) -> int:
    """About how many bytes `value` holds: Polars frames by their own estimate, containers and
    dataclasses by their parts (each object counted once)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, pl.DataFrame | pl.Series):
        return value.estimated_size()
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(
            size_of(k, seen) + size_of(v, seen) for k, v in value.items()
        )
    if isinstance(value, list | tuple | set | frozenset):
        return sys.getsizeof(value) + sum(size_of(item, seen) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sys.getsizeof(value) + sum(
            size_of(getattr(value, f.name), seen) for f in dataclasses.fields(value)
        )
    return sys.getsizeof(value)


class SharedCache:
    """Results by key, the least recently used let go once they hold more than `budget` bytes."""

    def __init__(self, budget: Callable[[], int]) -> None:
        self._budget = budget
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._pending: dict[Hashable, Future] = {}
        self.held = 0

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result for `key`, computing it (once, however many threads ask) when not held."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key][0]
            pending = self._pending.get(key)
            owner = pending is None
            if owner:
                pending = self._pending[key] = Future()
        assert pending is not None
        if not owner:
            return pending.result()
        try:
            value = compute()
        except BaseException as error:
            with self._lock:
                del self._pending[key]
            pending.set_exception(error)
            raise
        self._keep(key, value)
        pending.set_result(value)
        return value

    def _keep(self, key: Hashable, value: Any) -> None:
        size = size_of(value)
        budget = self._budget()
        with self._lock:
            del self._pending[key]
            if size > budget:
                return  # larger than the whole cache: used once, never kept
            self._entries[key] = (value, size)
            self.held += size
            while self.held > budget and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.held -= dropped

    def clear(self) -> None:
        """Let every result go."""
        with self._lock:
            self._entries.clear()
            self.held = 0

    def __len__(self) -> int:
        return len(self._entries)


CACHE = SharedCache(lambda: setting("cache_mb") * _MB)


def shared(function: F) -> F:
    """Keep `function`'s results in the app's shared cache, keyed on its arguments (which must
    be hashable plain values: paths, data versions, schools, dates, frozen dataclasses)."""

    @functools.wraps(function)
    def cached(*args: Any, **kwargs: Any) -> Any:
        key = (function.__module__, function.__qualname__, args, tuple(sorted(kwargs.items())))
        return CACHE.get(key, lambda: function(*args, **kwargs))

    return cached  # type: ignore[return-value]
