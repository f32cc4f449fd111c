"""The page's generation with OpenBLAS's default threads against one thread, interleaved in
one process and one run (so machine load hits both alike).

    python benchmarks/blas_threads.py [--model nietzsche-best] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from charlm.common.blas import blas_threads, set_blas_threads  # noqa: E402
from charlm.generation.artifacts import load_sampler, resolve_model  # noqa: E402

CASES = {  # what the page asks for: Explore, Compare, the Compare sweep
    "explore 1 T x 400": ((0.7,), 400),
    "compare 3 T x 400": ((0.3, 0.7, 1.2), 400),
    "sweep 20 T x 300": (tuple(round(0.1 * i, 1) for i in range(1, 21)), 300),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="nietzsche-best")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sampler, folder = load_sampler(resolve_model(args.model))
    seed = (folder.heldout_text() or "the ")[:200]
    default = blas_threads()
    print(f"{args.model}; OpenBLAS default threads: {default}; median ms of {args.rounds}")
    for name, (temps, length) in CASES.items():
        times = {default: [], 1: []}
        for _ in range(args.rounds):
            for threads in (default, 1):
                set_blas_threads(threads)
                start = time.perf_counter()
                sampler.generate(seed, length, temps, rng_seed=1)
                times[threads].append(1000 * (time.perf_counter() - start))
        set_blas_threads(default)
        print(
            f"{name:<20} {default} threads {statistics.median(times[default]):7.0f}   "
            f"1 thread {statistics.median(times[1]):7.0f}"
        )


if __name__ == "__main__":
    main()
