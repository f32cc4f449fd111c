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

M_ARENA_MAX = -8  # mallopt parameter number from glibc's malloc.h


@functools.cache
def limit_malloc_arenas(arenas: int = 2) -> bool:
    """True when glibc accepted the limit; False elsewhere (macOS, Windows, musl)."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False
