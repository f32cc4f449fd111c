"""Building and compiling Keras models from a recipe."""

from __future__ import annotations

from pathlib import Path

from charlm.training.recipes import FastRecipe, Recipe, SeedRecipe


def cpu_has_bfloat16(cpuinfo: str | None = None) -> bool:
    """True where the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX); elsewhere it
    would be emulated and slower than float32."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[-1].split())
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def training_precision(recipe: Recipe) -> str:
    """The dtype policy a recipe trains with on this machine ("auto" resolved)."""
    precision = getattr(recipe, "precision", "float32")
    if precision != "auto":
        return precision
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        return "float32"
    return "mixed_bfloat16" if cpu_has_bfloat16() else "float32"


def build_model(
    recipe: Recipe, vocab_size: int, steps_per_epoch: int = 1000, compile_model: bool = True
):
    """A Keras model for `recipe`, compiled unless asked not to (exports carry no optimizer).

    The cosine learning-rate schedule needs the number of steps per epoch. A model built to
    train uses the recipe's precision (the softmax always in float32); one built to export is
    plain float32 (the weights are float32 either way).
    """
    import keras

    if isinstance(recipe, SeedRecipe):
        model = keras.Sequential(
            [
                keras.Input((recipe.maxlen, vocab_size), name="one_hot_window"),
                keras.layers.LSTM(recipe.units, name="lstm"),
                keras.layers.Dense(vocab_size, activation="softmax", name="next_char"),
            ],
            name="seed",
        )
        optimizer = keras.optimizers.RMSprop(learning_rate=recipe.learning_rate)
    elif isinstance(recipe, FastRecipe):
        policy = training_precision(recipe) if compile_model else "float32"
        layers = [
            keras.Input((None,), dtype="int32", name="char_ids"),
            keras.layers.Embedding(vocab_size, recipe.embed_dim, name="embedding", dtype=policy),
        ]
        for i in range(recipe.layers):
            layers.append(keras.layers.Dropout(recipe.dropout, name=f"dropout_{i}", dtype=policy))
            layers.append(
                keras.layers.LSTM(
                    recipe.units, return_sequences=True, name=f"lstm_{i}", dtype=policy
                )
            )
        layers.append(keras.layers.Dropout(recipe.dropout, name="dropout_out", dtype=policy))
        layers.append(
            keras.layers.Dense(vocab_size, activation="softmax", name="next_char", dtype="float32")
        )
        model = keras.Sequential(layers, name=recipe.name)
        schedule = keras.optimizers.schedules.CosineDecay(
            recipe.learning_rate,
            decay_steps=max(recipe.epochs * steps_per_epoch, 1),
            alpha=recipe.final_learning_rate_fraction,
        )
        optimizer = keras.optimizers.Adam(learning_rate=schedule, clipnorm=recipe.clipnorm)
    else:
        raise TypeError(f"not a recipe: {recipe!r}")
    if compile_model:
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model
