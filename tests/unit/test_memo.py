"""The app's shared cache of figures: bounded by the memory its results hold, computed once however
many sessions ask at once, and never holding one session up while another's figures compute."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import polars as pl
import pytest

from pages.ui.memo import SharedCache, size_of

MB = 1024 * 1024


def frame_of(megabytes: int) -> pl.DataFrame:
    return pl.DataFrame({"x": pl.zeros(megabytes * MB // 8, dtype=pl.Int64, eager=True)})


def test_sizes_are_counted_through_dataclasses_and_containers():
    @dataclass(frozen=True)
    class Figures:
        table: pl.DataFrame
        parts: dict

    shared = frame_of(2)
    figures = Figures(shared, {"a": frame_of(1), "again": shared})
    assert 3 * MB <= size_of(figures) < 3 * MB + 10_000  # the shared frame counted once


def test_the_cache_lets_the_least_recently_used_go_beyond_its_budget():
    cache = SharedCache(lambda: 5 * MB)
    computed = []

    def compute(key: str) -> pl.DataFrame:
        computed.append(key)
        return frame_of(2)

    for key in ("a", "b"):
        cache.get(key, lambda k=key: compute(k))
    cache.get("a", lambda: compute("a"))  # a is now the most recently used
    cache.get("c", lambda: compute("c"))  # 6 MB: b goes
    assert computed == ["a", "b", "c"] and cache.held <= 5 * MB
    cache.get("a", lambda: compute("a"))
    cache.get("b", lambda: compute("b"))
    assert computed == ["a", "b", "c", "b"]


def test_a_result_larger_than_the_budget_is_returned_not_kept():
    cache = SharedCache(lambda: 1 * MB)
    assert cache.get("big", lambda: frame_of(2)).height > 0
    assert len(cache) == 0 and cache.held == 0


def test_sessions_asking_at_once_compute_once_and_others_are_not_held_up():
    cache = SharedCache(lambda: 100 * MB)
    calls, release = [], threading.Event()

    def slow() -> str:
        calls.append("slow")
        release.wait(10)
        return "slow result"

    waiting = [threading.Thread(target=lambda: cache.get("slow", slow)) for _ in range(3)]
    for thread in waiting:
        thread.start()
    time.sleep(0.2)
    started = time.perf_counter()
    assert cache.get("quick", lambda: "quick result") == "quick result"
    assert time.perf_counter() - started < 1  # not behind the slow computation
    release.set()
    for thread in waiting:
        thread.join(10)
    assert calls == ["slow"] and cache.get("slow", slow) == "slow result"


def test_a_failure_reaches_every_caller_and_is_not_kept():
    cache = SharedCache(lambda: MB)

    def fail() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cache.get("k", fail)
    assert cache.get("k", lambda: "fine") == "fine"
