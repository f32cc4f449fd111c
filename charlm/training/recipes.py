"""Model recipes: one small frozen dataclass each; CLI flags override fields."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SeedRecipe:
    """Chollet's notebook exactly: one-hot 60-char windows, step 3 -> LSTM(128) -> softmax."""

    name: str = "seed"
    maxlen: int = 60
    step: int = 3
    units: int = 128
    learning_rate: float = 0.01
    batch_size: int = 128
    epochs: int = 20


@dataclass(frozen=True)
class FastRecipe:
    """Sequence-to-sequence: every position predicts its next character.

    Embedding input, stacked LSTMs with dropout, Adam with cosine decay. Roughly 60x more
    training targets per pass than `seed` (every character, not every third window's last).
    """

    name: str = "fast"
    seq_len: int = 100
    embed_dim: int = 48
    units: int = 384
    layers: int = 2
    dropout: float = 0.2
    learning_rate: float = 3e-3
    final_learning_rate_fraction: float = 0.05
    clipnorm: float = 1.0
    batch_size: int = 32
    epochs: int = 38
    min_char_count: int = 1  # rarer characters are read as one unknown symbol
    precision: str = "float32"  # or "mixed_bfloat16", or "auto" (bfloat16 where the CPU has it)


@dataclass(frozen=True)
class QuickRecipe(FastRecipe):
    """Readable text in about a minute on two CPU cores, for a class that just pressed Train.

    One LSTM(256) layer on short windows with a high Adam rate: every step is cheap and the
    early steps move far. Where the CPU computes bfloat16 natively (AVX512-BF16, AMX), matmuls
    run in bfloat16 with float32 weights and a float32 softmax: 1.5x the steps per second.
    An epoch of Nietzsche is 131 steps (about 8 s here): 36 epochs fill five minutes.
    """

    name: str = "quick"
    seq_len: int = 64
    embed_dim: int = 32
    units: int = 256
    layers: int = 1
    dropout: float = 0.1  # without it, validation stalls after ~3 minutes while training loss falls
    learning_rate: float = 0.01
    final_learning_rate_fraction: float = 0.1
    batch_size: int = 64
    epochs: int = 36
    precision: str = "auto"


RECIPES = {"seed": SeedRecipe, "fast": FastRecipe, "quick": QuickRecipe}
Recipe = SeedRecipe | FastRecipe
PRECISIONS = ("float32", "mixed_bfloat16", "auto")
# Distinct characters a recipe's input takes: the seed recipe feeds one-hot windows of the
# whole alphabet; the embedding recipes read rare characters as one unknown symbol beyond this.
SEED_MAX_ALPHABET = 200
EMBEDDING_MAX_ALPHABET = 5000


def max_alphabet(recipe: Recipe) -> int:
    return SEED_MAX_ALPHABET if isinstance(recipe, SeedRecipe) else EMBEDDING_MAX_ALPHABET


def recipe_fields() -> dict[str, type]:
    """Every overridable field across recipes, name -> type (for the CLI)."""
    fields: dict[str, type] = {}
    for cls in RECIPES.values():
        for field in dataclasses.fields(cls):
            if field.name != "name":
                fields[field.name] = type(field.default)
    return fields


def make_recipe(name: str, **overrides: Any) -> Recipe:
    """Build recipe `name` with fields replaced; None values mean 'keep the default'."""
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; choose one of {sorted(RECIPES)}")
    cls = RECIPES[name]
    valid = {f.name for f in dataclasses.fields(cls)} - {"name"}
    given = {k: v for k, v in overrides.items() if v is not None}
    wrong = sorted(set(given) - valid)
    if wrong:
        raise ValueError(f"recipe {name!r} has no field(s) {wrong}; it has {sorted(valid)}")
    recipe = cls(**given)
    _check(recipe)
    return recipe


def _check(recipe: Recipe) -> None:
    if getattr(recipe, "precision", "float32") not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS} (got {recipe.precision!r})")
    for field in dataclasses.fields(recipe):
        value = getattr(recipe, field.name)
        if isinstance(value, (int, float)) and field.name != "dropout" and value <= 0:
            if field.name != "final_learning_rate_fraction":
                raise ValueError(f"{field.name} must be > 0 (got {value})")
    if getattr(recipe, "dropout", 0.0) < 0 or getattr(recipe, "dropout", 0.0) >= 1:
        raise ValueError(f"dropout must be in [0, 1) (got {recipe.dropout})")


def recipe_to_dict(recipe: Recipe) -> dict[str, Any]:
    return dataclasses.asdict(recipe)


def recipe_from_dict(payload: dict[str, Any]) -> Recipe:
    payload = dict(payload)
    return make_recipe(payload.pop("name"), **payload)


def context_length(recipe: Recipe) -> int:
    """How many characters of context the recipe trains on."""
    return recipe.maxlen if isinstance(recipe, SeedRecipe) else recipe.seq_len
