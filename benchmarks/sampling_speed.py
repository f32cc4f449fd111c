"""Sampling speed, side by side in one process and one run, on the same model:

- the notebook's loop: one-hot encode the last 60 characters, `model.predict`, sample with the
  notebook's `sample(preds, temperature)`, for every generated character;
- charlm's stateful NumPy sampler (constant work per character, no TensorFlow).

    python benchmarks/sampling_speed.py [--model nietzsche-seed] [--notebook-chars 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from charlm.generation.artifacts import MODEL_FILE, load_sampler, resolve_model  # noqa: E402


def notebook_sample(preds, temperature=1.0):
    """The notebook's sampling function, verbatim in spirit."""
    preds = np.asarray(preds).astype("float64")
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    probas = np.random.multinomial(1, preds, 1)
    return np.argmax(probas)


def notebook_loop(model, chars, seed_text, length, temperature):
    char_indices = {c: i for i, c in enumerate(chars)}
    maxlen = len(seed_text)
    generated = seed_text
    out = []
    for _ in range(length):
        sampled = np.zeros((1, maxlen, len(chars)))
        for t, char in enumerate(generated):
            sampled[0, t, char_indices[char]] = 1.0
        preds = model.predict(sampled, verbose=0)[0]
        next_char = chars[notebook_sample(preds, temperature)]
        generated = generated[1:] + next_char
        out.append(next_char)
    return "".join(out)


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="nietzsche-seed")
    parser.add_argument("--notebook-chars", type=int, default=100)
    parser.add_argument("--stream-chars", type=int, default=20_000)
    args = parser.parse_args()

    folder_path = resolve_model(args.model)
    sampler, folder = load_sampler(folder_path)
    seed = (
        "the philosopher, as we free spirits understand him, as the man of the greatest "
        "responsibility"
    )[-folder.context_length :]

    ours_stream = min(
        timed(lambda: sampler.generate(seed, args.stream_chars, [0.5], rng_seed=0), 3)
    )
    ours_rate = args.stream_chars / ours_stream
    batch = timed(lambda: sampler.generate(seed, 400, [0.2, 0.5, 1.0, 1.2], rng_seed=0), 30)
    batch_ms = statistics.median(batch) * 1000

    import keras

    model = keras.saving.load_model(folder_path / MODEL_FILE, safe_mode=True, compile=False)
    if not sampler.network.one_hot_input:
        sys.exit("the notebook loop needs a one-hot (seed recipe) model")
    notebook_loop(model, sampler.vocab.chars, seed, 3, 0.5)  # warm-up (graph tracing)
    nb_seconds = min(
        timed(lambda: notebook_loop(model, sampler.vocab.chars, seed, args.notebook_chars, 0.5), 1)
    )
    nb_rate = args.notebook_chars / nb_seconds

    print(f"model: {folder.name} ({folder_path}), CPUs: {os.cpu_count()}")
    print(f"{'method':<44}{'chars/s':>12}")
    print(f"{'notebook: model.predict per char (60-window)':<44}{nb_rate:>12,.1f}")
    print(f"{'charlm: stateful NumPy, one stream':<44}{ours_rate:>12,.0f}")
    print(f"speed-up, one stream: {ours_rate / nb_rate:,.0f}x")
    print(f"four temperatures x 400 chars, one batched pass: {batch_ms:.1f} ms (median of 30)")


if __name__ == "__main__":
    main()
