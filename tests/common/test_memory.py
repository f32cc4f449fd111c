"""Handing freed memory back: glibc's malloc_trim, rate-limited."""

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
