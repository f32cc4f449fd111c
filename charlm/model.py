"""Building and compiling Keras models from a recipe."""

from __future__ import annotations

from charlm.recipes import FastRecipe, Recipe, SeedRecipe


def build_model(
    recipe: Recipe, vocab_size: int, steps_per_epoch: int = 1000, compile_model: bool = True
):
    """A Keras model for `recipe`, compiled unless asked not to (exports carry no optimizer).

    The cosine learning-rate schedule needs the number of steps per epoch.
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
        layers = [
            keras.Input((None,), dtype="int32", name="char_ids"),
            keras.layers.Embedding(vocab_size, recipe.embed_dim, name="embedding"),
        ]
        for i in range(recipe.layers):
            layers.append(keras.layers.Dropout(recipe.dropout, name=f"dropout_{i}"))
            layers.append(keras.layers.LSTM(recipe.units, return_sequences=True, name=f"lstm_{i}"))
        layers.append(keras.layers.Dropout(recipe.dropout, name="dropout_out"))
        layers.append(keras.layers.Dense(vocab_size, activation="softmax", name="next_char"))
        model = keras.Sequential(layers, name="fast")
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
