"""Timing and peak memory of one benchmark step, and the machine the benchmark ran on."""

from __future__ import annotations

import ctypes
import gc
import os
import platform
import re
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_STATUS = "/proc/self/status"


def _give_back_free_memory() -> None:
    """Collect garbage and hand the C heap's free pages back to the system (glibc), so that a
    step's peak starts from what the process really holds, not from what an earlier step freed
    but the allocator kept."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the peak may include memory an earlier step freed


def reset_peak() -> None:
    """Start measuring peak memory afresh (Linux: reset the process's high-water mark), after
    giving back the memory earlier steps freed."""
    _give_back_free_memory()
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass  # elsewhere the peak is the process's lifetime peak


def peak_mb() -> float:
    """The process's peak resident memory since the last `reset_peak`, in MB."""
    try:
        with open(_STATUS) as status:
            found = re.search(r"VmHWM:\s+(\d+)\s+kB", status.read())
        if found:
            return int(found.group(1)) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Step:
    """One measured step: seconds, peak memory, and what it did."""

    name: str
    seconds: float
    peak_mb: float
    detail: str = ""
    target: str = ""
    met: bool | None = None


def measure(
    name: str, work: Callable[[], Any], detail: Callable[[Any], str] | None = None
) -> tuple[Any, Step]:
    """Run `work` once, timing it and its peak memory."""
    reset_peak()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    return result, Step(name, seconds, peak_mb(), detail(result) if detail else "")


def machine() -> str:
    """One line about the machine and its load."""
    cores = os.cpu_count() or 0
    try:
        with open("/proc/meminfo") as info:
            found = re.search(r"MemTotal:\s+(\d+)", info.read())
        if found is None:
            raise OSError("no MemTotal in /proc/meminfo")
        total = int(found.group(1)) / 1024 / 1024
        memory = f"{total:.0f} GB"
    except (OSError, AttributeError):
        memory = "? GB"
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return f"{platform.machine()}, {cores} cores, {memory}, Python {platform.python_version()}, load average {load}"
