"""Handing freed memory back: glibc's malloc_trim, rate-limited."""

import subprocess
import sys

import pytest

from charlm.common import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_trim_runs_at_most_once_per_interval(monkeypatch):
    monkeypatch.setattr(memory, "_last_trim", [float("-inf")])
    assert memory.return_free_memory(now=100.0) is True
    assert memory.return_free_memory(now=100.0 + memory.TRIM_INTERVAL_SECONDS / 2) is False
    assert memory.return_free_memory(now=100.0 + memory.TRIM_INTERVAL_SECONDS + 0.1) is True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_trim_gives_back_freed_heap():
    """Many small blocks freed stay in the heap until trimmed."""

    def rss_kb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

    blocks = [bytearray(1000) for _ in range(100_000)]  # ~100 MB of small (heap) blocks
    keep = blocks[-1]
    del blocks
    before = rss_kb()
    memory._last_trim[0] = float("-inf")
    assert memory.return_free_memory()
    assert rss_kb() < before - 50_000, (before, rss_kb())
    del keep


# Freed large arrays after one bigger one: glibc's raised threshold puts them in the heap, where
# the small blocks allocated between them keep the heap from shrinking.
FRAGMENTS = """
import sys
import numpy as np
from charlm.common import memory

def rss_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

if sys.argv[1] == "fixed":
    assert memory.fix_mmap_threshold()
big = np.ones(2_000_000)  # 16 MB: freeing it raises glibc's own threshold to 16 MB
del big
arrays, pins = [], []
for _ in range(150):
    arrays.append(np.ones(64_000))  # 512 KB each, 77 MB in all
    pins.append(np.ones(200))  # small blocks that outlive them
before = rss_kb()
del arrays
print(before - rss_kb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_freed_large_arrays_go_back_with_a_fixed_mmap_threshold():
    def given_back_kb(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", FRAGMENTS, mode], capture_output=True, text=True, check=True
        )
        return int(done.stdout)

    assert given_back_kb("fixed") > 60_000
    assert given_back_kb("glibc-default") < 20_000  # what the page had before
