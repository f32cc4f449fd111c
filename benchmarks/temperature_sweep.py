"""The temperature sweep (the Compare view's curves), timed, with its figures for each bundled
model; beside it, the notebook's way measured on a few characters and scaled to the same work.

    python benchmarks/temperature_sweep.py [--notebook-chars 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sampling_speed import notebook_loop  # noqa: E402

from charlm.analysis import sweep  # noqa: E402
from charlm.generation.artifacts import MODEL_FILE, load_sampler, resolve_model  # noqa: E402
from charlm.ui.loaders import FALLBACK_SEED, SWEEP_LENGTH  # noqa: E402

MODELS = ("nietzsche-seed", "nietzsche-best")


def measure(name: str) -> tuple[float, float, list]:
    sampler, folder = load_sampler(resolve_model(name))
    ids = np.asarray(sampler.vocab.encode(folder.heldout_text(), on_unknown="drop"))
    start = time.perf_counter()
    heldout = sweep.heldout_predictions(sampler.network, ids, folder.context_length)
    heldout_s = time.perf_counter() - start
    words = folder.known_words()
    times, points = [], None
    for _ in range(5):
        start = time.perf_counter()
        points = sweep.sweep(sampler, FALLBACK_SEED, SWEEP_LENGTH, None, 42, words, heldout)
        times.append(time.perf_counter() - start)
    return heldout_s, statistics.median(times), points


def notebook_seconds(chars: int) -> float:
    """The notebook's per-character model.predict loop, scaled to the sweep's characters."""
    import keras

    folder_path = resolve_model("nietzsche-seed")
    sampler, folder = load_sampler(folder_path)
    model = keras.saving.load_model(folder_path / MODEL_FILE, safe_mode=True, compile=False)
    seed = FALLBACK_SEED[-folder.context_length :]
    notebook_loop(model, sampler.vocab.chars, seed, 3, 0.5)  # warm-up (graph tracing)
    start = time.perf_counter()
    notebook_loop(model, sampler.vocab.chars, seed, chars, 0.5)
    per_char = (time.perf_counter() - start) / chars
    return per_char * SWEEP_LENGTH * len(sweep.temperature_grid())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook-chars", type=int, default=60)
    args = parser.parse_args()
    grid = sweep.temperature_grid()
    print(f"CPUs {os.cpu_count()}; {len(grid)} temperatures {grid[0]}-{grid[-1]}, "
          f"{SWEEP_LENGTH} characters each, coupled random numbers")  # fmt: skip
    print(f"{'model':<16}{'held-out prep s':>16}{'sweep s (median of 5)':>24}")
    results = {}
    for name in MODELS:
        prep, seconds, points = measure(name)
        results[name] = points
        print(f"{name:<16}{prep:>16.2f}{seconds:>24.2f}")
    print(
        f"notebook's way, same characters (model.predict per char, seed model, measured on "
        f"{args.notebook_chars} chars): {notebook_seconds(args.notebook_chars):,.0f} s"
    )
    for name, points in results.items():
        print(f"\n{name}: calibration minimum at T = {sweep.calibration_minimum(points):g}")
        print(f"{'T':>5}{'real words':>12}{'repeated 4-grams':>18}{'surprisal bits':>16}"
              f"{'held-out nats':>15}")  # fmt: skip
        for p in points:
            if p.temperature in sweep.LESSON_TEMPERATURES:
                print(f"{p.temperature:>5g}{p.real_words:>12.2f}{p.repetition:>18.2f}"
                      f"{p.surprisal_bits:>16.2f}{p.calibration_nats:>15.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
