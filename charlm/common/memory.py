"""Keep the server's memory from ratcheting up as visitors come and go.

glibc gives each thread that allocates its own malloc arena, and Streamlit runs every visitor's
script in a new thread; freed memory then stays spread over many arenas and is never returned.
Two arenas (what MALLOC_ARENA_MAX=2 does, set here at run time because a hosted app cannot set
the server's environment) cut what stayed after 60 visitors left from +36 MB to +24 MB
(benchmarks/classroom_load.py). The trainer sets it too, before TensorFlow starts its threads.

glibc also raises its mmap threshold each time a large block is freed (up to 32 MB), so after
one big NumPy array, arrays of a few hundred KB come from the heap instead of their own
mapping, and a class's freed arrays stay as holes between long-lived objects. A fixed
threshold (MMAP_THRESHOLD_BYTES) gives every large array its own mapping, returned when it is
freed. The mix of 40 students (`benchmarks/classroom_load.py --mix --seed 2`, same session):
peak 247-248 -> 211-220 MB, 5 s after the class 229-233 -> 203-208 MB, server CPU per action
within the run-to-run spread (52-66 ms before, 53-60 ms after, thresholds 64 KB-1 MB).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
import time

M_ARENA_MAX = -8  # mallopt parameter numbers from glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 256 * 1024


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


@functools.cache
def limit_malloc_arenas(arenas: int = 2) -> bool:
    """True when glibc accepted the limit; False elsewhere (macOS, Windows, musl)."""
    try:
        libc = _libc()
        return bool(libc and libc.mallopt(M_ARENA_MAX, arenas))
    except AttributeError:
        return False


@functools.cache
def fix_mmap_threshold(threshold: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Blocks of `threshold` bytes or more always get their own mapping, returned to the
    system when freed (glibc's M_MMAP_THRESHOLD; setting it also stops glibc raising it).
    True when glibc accepted it; False elsewhere (macOS, Windows, musl)."""
    try:
        libc = _libc()
        return bool(libc and libc.mallopt(M_MMAP_THRESHOLD, threshold))
    except AttributeError:
        return False


TRIM_INTERVAL_SECONDS = 5.0
_trim_lock = threading.Lock()
_last_trim = [float("-inf")]


def return_free_memory(now: float | None = None) -> bool:
    """Hand freed heap pages back to the system (glibc's malloc_trim), at most once every
    TRIM_INTERVAL_SECONDS; True when it ran. glibc keeps freed memory inside its arenas, so
    without this a server's memory stays at its busiest figure after a class leaves (issue
    17 asks it to settle within 60 MB of the first page). Call it when the server is idle:
    a trim holds the allocator for a few milliseconds."""
    now = time.monotonic() if now is None else now
    with _trim_lock:
        if now - _last_trim[0] < TRIM_INTERVAL_SECONDS:
            return False
        _last_trim[0] = now
    try:
        libc = _libc()
        return bool(libc) and (libc.malloc_trim(0), True)[1]
    except AttributeError:  # not glibc
        return False
