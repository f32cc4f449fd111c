"""Integer-encoded tf.data pipelines for each recipe.

The notebook builds a (N, 60, 57) boolean array (685 MB for Nietzsche). Here the corpus stays
one int32 vector (2.4 MB) and windows are gathered, one batch at a time, inside tf.data.
"""

from __future__ import annotations

import numpy as np

from charlm.training.recipes import FastRecipe, Recipe, SeedRecipe


def window_starts(length: int, maxlen: int, step: int) -> np.ndarray:
    """The notebook's `range(0, len(text) - maxlen, step)`, as int32."""
    return np.arange(0, max(length - maxlen, 0), step, dtype=np.int32)


def chunk_starts(length: int, seq_len: int) -> np.ndarray:
    """Starts of non-overlapping (seq_len + 1)-character chunks."""
    return np.arange(0, max(length - seq_len - 1, 0), seq_len, dtype=np.int32)


def _start_batches(
    starts: np.ndarray, batch_size: int, shuffle: bool, seed=None, drop_remainder=False
):
    """Batches of window starts, in a new random order every epoch when shuffling.

    The whole index vector is permuted as one tensor: a `Dataset.shuffle` buffer over the
    180,000 seed-recipe windows holds each index as its own tensor; preparation then peaked at
    47.5 MB instead of 15.4 MB (benchmarks/training_epoch.py).
    """
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensors(starts)
    if shuffle:
        ds = ds.map(lambda s: tf.random.shuffle(s, seed=seed))
    return ds.unbatch().batch(batch_size, drop_remainder=drop_remainder)


def seed_dataset(ids: np.ndarray, recipe: SeedRecipe, vocab_size: int, shuffle: bool, seed=None):
    """Batches of (one-hot window (B, maxlen, V), next-char id (B,)) as the notebook trains."""
    import tensorflow as tf

    starts = window_starts(len(ids), recipe.maxlen, recipe.step)
    if len(starts) == 0:
        raise ValueError(f"text of {len(ids)} characters is shorter than maxlen {recipe.maxlen}")
    corpus = tf.constant(ids, dtype=tf.int32)
    offsets = tf.range(recipe.maxlen, dtype=tf.int32)

    def gather(batch_starts):
        x = tf.gather(corpus, batch_starts[:, None] + offsets[None, :])
        y = tf.gather(corpus, batch_starts + recipe.maxlen)
        return tf.one_hot(x, vocab_size, dtype=tf.float32), y

    ds = _start_batches(starts, recipe.batch_size, shuffle, seed)
    return ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)


def sequence_dataset(ids: np.ndarray, recipe: FastRecipe, shuffle: bool, seed=None):
    """Batches of (ids (B, L), next ids (B, L)); when shuffling, chunk boundaries move each
    batch by a random offset so no two epochs cut the text the same way."""
    import tensorflow as tf

    length = recipe.seq_len
    usable = len(ids) - length if shuffle else len(ids)
    starts = chunk_starts(usable, length)
    if len(starts) == 0:
        raise ValueError(f"text of {len(ids)} characters is too short for seq_len {length}")
    corpus = tf.constant(ids, dtype=tf.int32)
    offsets = tf.range(length + 1, dtype=tf.int32)

    def gather(batch_starts):
        if shuffle:
            batch_starts = batch_starts + tf.random.uniform([], 0, length, dtype=tf.int32)
        window = tf.gather(corpus, batch_starts[:, None] + offsets[None, :])
        return window[:, :-1], window[:, 1:]

    drop = shuffle and len(starts) >= recipe.batch_size
    ds = _start_batches(starts, recipe.batch_size, shuffle, seed, drop_remainder=drop)
    return ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)


class TextTooShortError(ValueError):
    """A part of the text is too short for the recipe's context."""


def shortest_parts(recipe: Recipe) -> tuple[int, int]:
    """(training, validation) characters the recipe needs at least: one window each (seed),
    or one chunk for validation and two for training, whose start moves each batch (fast)."""
    if isinstance(recipe, SeedRecipe):
        return recipe.maxlen + 1, recipe.maxlen + 1
    return 2 * recipe.seq_len + 2, recipe.seq_len + 2


def check_text_fits(recipe: Recipe, train_chars: int, val_chars: int) -> None:
    """TextTooShortError, in one line, when the training or validation part (the last 10%)
    cannot hold one window of the recipe's context."""
    option = "--maxlen" if isinstance(recipe, SeedRecipe) else "--seq-len"
    context = recipe.maxlen if isinstance(recipe, SeedRecipe) else recipe.seq_len
    for part, have, need in zip(
        ("training", "validation"), (train_chars, val_chars), shortest_parts(recipe)
    ):
        if have < need:
            raise TextTooShortError(
                f"{option} {context} needs a {part} part of at least {need:,} characters; this "
                f"text's has {have:,} (of {train_chars + val_chars:,}). Use a shorter {option} "
                "or a longer text."
            )


def make_datasets(train_ids, val_ids, recipe: Recipe, vocab_size: int, seed=None):
    """(training, validation) datasets for `recipe`."""
    if isinstance(recipe, SeedRecipe):
        return (
            seed_dataset(train_ids, recipe, vocab_size, shuffle=True, seed=seed),
            seed_dataset(val_ids, recipe, vocab_size, shuffle=False),
        )
    return (
        sequence_dataset(train_ids, recipe, shuffle=True, seed=seed),
        sequence_dataset(val_ids, recipe, shuffle=False),
    )


def steps_per_epoch(n_train: int, recipe: Recipe) -> int:
    if isinstance(recipe, SeedRecipe):
        return -(-len(window_starts(n_train, recipe.maxlen, recipe.step)) // recipe.batch_size)
    n = len(chunk_starts(n_train - recipe.seq_len, recipe.seq_len))
    return max(n // recipe.batch_size, 1)
