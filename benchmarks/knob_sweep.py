"""Which knob keeps more real words at the same surprisal: the sweep along top-p and along
min-p at one temperature (T = 1.2 by default), the same seed text and random numbers.

    .venv/bin/python benchmarks/knob_sweep.py [--model nietzsche-seed] [--temperature 1.2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from charlm.analysis import sweep  # noqa: E402
from charlm.generation.artifacts import load_sampler  # noqa: E402
from charlm.ui.loaders import FALLBACK_SEED  # noqa: E402

VALUES = {"top_p": (0.5, 0.7, 0.8, 0.9, 0.95), "min_p": (0.3, 0.2, 0.1, 0.05, 0.02)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="nietzsche-seed")
    parser.add_argument("--temperature", type=float, default=1.2)
    parser.add_argument("--length", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=5, help="random seeds averaged")
    args = parser.parse_args()
    sampler, folder = load_sampler(ROOT / "artifacts" / args.model)
    known = folder.known_words()
    t, n = args.temperature, args.seeds
    print(f"{args.model}, T = {t:g}, {args.length} chars, mean of {n} seeds")
    print(f"{'knob':>6} {'value':>6} {'real words':>11} {'surprisal bits':>15}")
    start = time.perf_counter()
    for knob, values in VALUES.items():
        for value in values:
            runs = [
                sweep.knob_sweep(
                    sampler, FALLBACK_SEED, knob, [value], args.temperature, args.length, s, known
                )[0]
                for s in range(args.seeds)
            ]
            words = sum(p.real_words for p in runs) / len(runs)
            bits = sum(p.surprisal_bits for p in runs) / len(runs)
            print(f"{knob:>6} {value:>6g} {words:>11.2f} {bits:>15.2f}")
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
