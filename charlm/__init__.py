"""charlm: character-level LSTM text generation and the effect of softmax temperature.

Packages, one per flow, imports only downward (tests/test_layout.py checks):
common -> text -> generation -> analysis -> training -> serving -> ui / cli.
The public names below load on first use, so `import charlm` stays free of TensorFlow.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Public name -> the module that owns it.
_PUBLIC = {
    "load_corpus": "charlm.text.corpus",
    "split_text": "charlm.text.corpus",
    "Vocabulary": "charlm.text.vocab",
    "reweight": "charlm.generation.temperature",
    "Sampler": "charlm.generation.sampler",
    "Generation": "charlm.generation.sampler",
    "load_sampler": "charlm.generation.artifacts",
    "list_models": "charlm.generation.artifacts",
    "RECIPES": "charlm.training.recipes",
    "make_recipe": "charlm.training.recipes",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'charlm' has no attribute {name!r}")
