"""Shared fixtures: a tiny generated corpus and tiny models trained through the real code."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# CI shares two cores with TensorFlow tests: judge properties, not per-example wall time.
settings.register_profile("charlm", deadline=None)
settings.load_profile("charlm")

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "the of and to a in that is it be as for with this not by on are but from or have an "
    "they which one you were her all she there would their we him been has when who will "
    "more no if out so said what up its about into than them can only other new some could "
    "time these two may then do first any my now such like our over man even most made"
).split()


def make_text(n_words: int = 6000, seed: int = 0) -> str:
    rng = random.Random(seed)
    lines = []
    for _ in range(n_words // 12):
        lines.append(" ".join(rng.choice(WORDS) for _ in range(12)) + ".")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "tiny.txt"
    path.write_text(make_text(), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def isolated_runs(tmp_path, monkeypatch):
    """Every test gets its own runs folder so nothing touches the real runs/."""
    runs = tmp_path / "runs"
    monkeypatch.setenv("CHARLM_RUNS", str(runs))
    return runs


def _train_tiny(root: Path, corpus: Path, recipe_name: str, **fields) -> Path:
    from charlm.training.recipes import make_recipe
    from charlm.training.train import train

    run_dir = root / f"tiny-{recipe_name}"
    recipe = make_recipe(recipe_name, **fields)
    assert train(run_dir, recipe, corpus_path=corpus, verbose=0) == "done"
    return run_dir / "model"


@pytest.fixture(scope="session")
def tiny_seed_model(tmp_path_factory, tiny_corpus) -> Path:
    return _train_tiny(
        tmp_path_factory.mktemp("runs"), tiny_corpus, "seed", units=24, maxlen=20, epochs=2
    )


@pytest.fixture(scope="session")
def tiny_fast_model(tmp_path_factory, tiny_corpus) -> Path:
    return _train_tiny(
        tmp_path_factory.mktemp("runs"),
        tiny_corpus,
        "fast",
        units=24,
        embed_dim=8,
        layers=2,
        seq_len=40,
        batch_size=16,
        epochs=1,
    )


@pytest.fixture
def app_env(tmp_path, monkeypatch, tiny_seed_model):
    """The page's environment: a tiny trained model as the only bundled one."""
    import shutil

    artifacts = tmp_path / "artifacts"
    shutil.copytree(tiny_seed_model, artifacts / "tiny-model")
    monkeypatch.setenv("CHARLM_ARTIFACTS", str(artifacts))
    monkeypatch.setenv("CHARLM_NO_AUTORERUN", "1")
    return artifacts


@pytest.fixture(scope="session")
def nietzsche_path() -> Path:
    """The verified Nietzsche copy (CHARLM_CORPUS or the Keras cache); skip if absent."""
    from charlm.text.corpus import CorpusError, find_nietzsche

    try:
        return find_nietzsche(download=False)
    except CorpusError as exc:
        pytest.skip(f"Nietzsche corpus not available offline: {exc}")
