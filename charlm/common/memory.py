"""Keep the server's memory from ratcheting up as visitors come and go.

glibc gives each thread that allocates its own malloc arena, and Streamlit runs every visitor's
script in a new thread; freed memory then stays spread over many arenas and is never returned.
Two arenas (what MALLOC_ARENA_MAX=2 does, set here at run time because a hosted app cannot set
the server's environment) cut what stayed after 60 visitors left from +36 MB to +24 MB
(benchmarks/classroom_load.py). The trainer sets it too, before TensorFlow starts its threads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
import time

M_ARENA_MAX = -8  # mallopt parameter number from glibc's malloc.h


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
