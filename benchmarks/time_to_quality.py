"""Seconds of training to reach 1.8, 1.6, 1.45 and 1.35 nats/char of validation loss, for the
seed, fast and quick recipes trained one after another in this run, with each trainer's peak
memory.

Each recipe trains through the real CLI with a training-time budget. Every 5 s of training the
trainer scores a fixed slice of the validation split (windows spread evenly over all of it) and
writes a sample (curve.json); those passes, Keras's per-epoch validation and file writes are not
counted as training time. The exported model's loss on the whole split is printed beside the
slice's last figure, to show the slice is a fair stand-in.

    python benchmarks/time_to_quality.py [--seconds 300] [--recipes seed fast quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from charlm.training import runfiles  # noqa: E402

THRESHOLDS = (1.8, 1.6, 1.45, 1.35)


def first_time_below(curve: list[dict], threshold: float) -> float | None:
    """Training seconds at the first report at or below `threshold` (None: never)."""
    return next((row["seconds"] for row in curve if row["val_loss"] <= threshold), None)


def train(recipe: str, seconds: int, folder: Path) -> dict:
    run_dir = folder / recipe
    command = [
        sys.executable, "-m", "charlm", "train", "--recipe", recipe,
        "--out", str(run_dir), "--max-seconds", str(seconds), "--epochs", "1000",
    ]  # fmt: skip
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"{recipe} failed:\n{result.stderr[-3000:]}")
    curve = runfiles.read_curve(run_dir)
    progress = runfiles.read_progress(run_dir)
    metadata = json.loads((run_dir / "model" / "metadata.json").read_text(encoding="utf-8"))
    return {
        "recipe": recipe,
        "curve": curve,
        "wall": wall,
        "peak_mb": progress.get("peak_memory_mb"),
        "full": metadata["validation"]["loss_nats"],
        "device": json.loads((run_dir / "run.json").read_text())["device"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=300, help="training-time budget each")
    parser.add_argument("--recipes", nargs="+", default=["seed", "fast", "quick"])
    parser.add_argument("--keep", type=Path, default=None, help="keep the run folders here")
    args = parser.parse_args()
    if not os.environ.get("CHARLM_CORPUS"):
        shared = ROOT.parent / "shared" / "corpora" / "nietzsche.txt"
        if shared.is_file():
            os.environ["CHARLM_CORPUS"] = str(shared)
    results = []
    with tempfile.TemporaryDirectory(prefix="charlm-ttq-") as tmp:
        folder = args.keep or Path(tmp)
        for recipe in args.recipes:
            results.append(train(recipe, args.seconds, folder))
    cpus = os.cpu_count()
    print(f"CPUs {cpus}; budget {args.seconds} s of training each; Nietzsche, standard split")
    head = "".join(f"{'<= ' + str(t):>10}" for t in THRESHOLDS)
    print(f"{'recipe':<8}{head}{'last slice':>12}{'best, full split':>18}{'peak MB':>9}  precision")
    for r in results:
        cells = "".join(
            f"{'-' if (s := first_time_below(r['curve'], t)) is None else f'{s:.0f} s':>10}"
            for t in THRESHOLDS
        )
        last = r["curve"][-1]["val_loss"] if r["curve"] else float("nan")
        precision = r["device"].split(", ")[-1]
        figures = f"{last:>12.3f}{r['full']:>18.4f}{r['peak_mb']:>9.0f}"
        print(f"{r['recipe']:<8}{cells}{figures}  {precision}")
    print("seconds of training to reach each validation loss (nats/char); - = not in the budget")
    for r in results:
        early = [row for row in r["curve"] if row["seconds"] <= 16][-1:] or r["curve"][:1]
        if early:
            row = early[0]
            print(f"\n{r['recipe']} after {row['seconds']:.0f} s (slice {row['val_loss']:.2f}):")
            print("  " + row["sample"][:160].replace("\n", " ⏎ "))


if __name__ == "__main__":
    main()
