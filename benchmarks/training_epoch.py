"""Training data preparation and one epoch of the seed recipe on Nietzsche, side by side:

- the notebook's way: a (N, 60, 57) boolean one-hot array of every window, fit from NumPy;
- charlm's way: one int32 vector, windows gathered and one-hot encoded per batch in tf.data.

Each runs in its own subprocess so its peak memory is its own. Prints seconds per epoch and
the peak extra resident memory of data preparation.

    python benchmarks/training_epoch.py [--steps N]   (N batches instead of a whole epoch)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_runtime() -> None:
    """Start TensorFlow's runtime (threads, eager context, tf.data) before the baseline, so
    the figure counts data preparation only."""
    import tensorflow as tf

    list(tf.data.Dataset.range(4).map(lambda x: x + 1).batch(2))


def notebook_worker(steps):
    import numpy as np

    from charlm.text.corpus import load_corpus, split_text
    from charlm.training.model import build_model
    from charlm.training.recipes import make_recipe

    text = split_text(load_corpus())[0]
    start_runtime()
    base = peak_rss_mb()
    start = time.perf_counter()
    maxlen, step = 60, 3
    sentences, next_chars = [], []
    for i in range(0, len(text) - maxlen, step):
        sentences.append(text[i : i + maxlen])
        next_chars.append(text[i + maxlen])
    chars = sorted(set(text))
    char_indices = {c: i for i, c in enumerate(chars)}
    x = np.zeros((len(sentences), maxlen, len(chars)), dtype=bool)
    y = np.zeros((len(sentences), len(chars)), dtype=bool)
    for i, sentence in enumerate(sentences):
        for t, char in enumerate(sentence):
            x[i, t, char_indices[char]] = 1
        y[i, char_indices[next_chars[i]]] = 1
    prep_seconds = time.perf_counter() - start
    prep_mb = peak_rss_mb() - base
    model = build_model(make_recipe("seed"), len(chars))
    model.compile(optimizer=model.optimizer, loss="categorical_crossentropy")
    if steps:
        x, y = x[: steps * 128], y[: steps * 128]
    start = time.perf_counter()
    model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    return {
        "prep_seconds": prep_seconds,
        "prep_mb": prep_mb,
        "epoch_seconds": time.perf_counter() - start,
        "batches": -(-len(x) // 128),
    }


def charlm_worker(steps):
    from charlm.text.corpus import load_corpus, split_text
    from charlm.text.vocab import Vocabulary
    from charlm.training.data import make_datasets, steps_per_epoch
    from charlm.training.model import build_model
    from charlm.training.recipes import make_recipe

    corpus = load_corpus()
    train_text, val_text = split_text(corpus)
    start_runtime()
    base = peak_rss_mb()
    start = time.perf_counter()
    recipe = make_recipe("seed")
    vocab = Vocabulary.from_text(corpus)
    train_ids = vocab.encode(train_text)
    train_ds, _ = make_datasets(train_ids, vocab.encode(val_text), recipe, vocab.size)
    next(iter(train_ds))  # the pipeline is built and produces batches
    prep_seconds = time.perf_counter() - start
    prep_mb = peak_rss_mb() - base
    model = build_model(recipe, vocab.size)
    if steps:
        train_ds = train_ds.take(steps)
    start = time.perf_counter()
    model.fit(train_ds, epochs=1, verbose=0)
    return {
        "prep_seconds": prep_seconds,
        "prep_mb": prep_mb,
        "epoch_seconds": time.perf_counter() - start,
        "batches": steps or steps_per_epoch(len(train_ids), recipe),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=0, help="batches per epoch (0: all)")
    parser.add_argument("--worker", choices=["notebook", "charlm"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker = notebook_worker if args.worker == "notebook" else charlm_worker
        print(json.dumps(worker(args.steps)))
        return
    results = {}
    for name in ("notebook", "charlm"):
        out = subprocess.run(
            [sys.executable, __file__, "--worker", name, "--steps", str(args.steps)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"seed recipe on Nietzsche (training split), CPUs: {os.cpu_count()}")
    print(f"{'way':<10}{'prep s':>9}{'prep peak MB':>14}{'epoch s':>10}{'batches':>9}")
    for name, r in results.items():
        print(
            f"{name:<10}{r['prep_seconds']:>9.1f}{r['prep_mb']:>14.1f}{r['epoch_seconds']:>10.1f}"
            f"{r['batches']:>9}"
        )
    nb, ours = results["notebook"], results["charlm"]
    print(
        f"epoch speed-up {nb['epoch_seconds'] / ours['epoch_seconds']:.2f}x, "
        f"preparation memory {nb['prep_mb'] / max(ours['prep_mb'], 0.1):.0f}x less"
    )


if __name__ == "__main__":
    main()
