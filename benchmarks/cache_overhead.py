"""Cost of a cache hit on the page's hot path: charlm.ui.memo.SharedCache against Streamlit's
st.cache_resource, with the key a move really uses (model path, epoch, seed text, T, ...).

    .venv/bin/python benchmarks/cache_overhead.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from charlm.ui.memo import SharedCache  # noqa: E402

SEED = "the free spirit, as we understand him, is not a thing of the day; " * 4


def per_call_us(call, n: int = 20_000) -> float:
    call()
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    args = ("artifacts/nietzsche-best", None, SEED, (0.5,), 400, 7, None, None)
    shared = SharedCache(max_entries=64)

    @st.cache_resource(max_entries=64, show_spinner=False)
    def cached(path, epoch, seed_text, temperatures, length, rng, top_k, top_p):
        return object()

    ours = per_call_us(lambda: shared.get(args, object))
    theirs = per_call_us(lambda: cached(*args))
    print(f"{'cache hit':<24}{'µs per call':>12}")
    print(f"{'SharedCache.get':<24}{ours:>12.1f}")
    print(f"{'st.cache_resource':<24}{theirs:>12.1f}")
    print(f"st.cache_resource costs {theirs / ours:.0f}x as much per hit")


if __name__ == "__main__":
    main()
