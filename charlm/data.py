"""Integer-encoded tf.data pipelines for each recipe.

The notebook builds a (N, 60, 57) boolean array (685 MB for Nietzsche). Here the corpus stays
one int32 vector (2.4 MB) and windows are gathered, one batch at a time, inside tf.data.
"""

from __future__ import annotations

import numpy as np

from charlm.recipes import FastRecipe, Recipe, SeedRecipe


def window_starts(length: int, maxlen: int, step: int) -> np.ndarray:
    """The notebook's `range(0, len(text) - maxlen, step)`, as int32."""
    return np.arange(0, max(length - maxlen, 0), step, dtype=np.int32)


def chunk_starts(length: int, seq_len: int) -> np.ndarray:
    """Starts of non-overlapping (seq_len + 1)-character chunks."""
    return np.arange(0, max(length - seq_len - 1, 0), seq_len, dtype=np.int32)


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

    ds = tf.data.Dataset.from_tensor_slices(starts)
    if shuffle:
        ds = ds.shuffle(len(starts), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(recipe.batch_size).map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)


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

    ds = tf.data.Dataset.from_tensor_slices(starts)
    if shuffle:
        ds = ds.shuffle(len(starts), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(recipe.batch_size, drop_remainder=shuffle and len(starts) >= recipe.batch_size)
    return ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)


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
