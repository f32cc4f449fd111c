"""Cached loading and generation for the page (no TensorFlow anywhere on this path)."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from charlm.artifacts import ArtifactError, ModelFolder, list_models, load_sampler, open_model_folder
from charlm.corpus import CorpusError, load_corpus, random_passage
from charlm.sampler import Generation, Sampler

# The preface's opening line: the seed text when no corpus copy is available.
FALLBACK_SEED = (
    "supposing that truth is a woman--what then? is there not ground for suspecting "
    "that all philosophers, in so far as they have been dogmatists, have failed"
)


# One scan of the model folders per 2 s for the whole server, not one per visitor per move:
# a new model appears within 2 s, and 40 students moving sliders cost one directory walk.
@st.cache_data(ttl=2, show_spinner=False, max_entries=4)
def model_catalogue(artifacts_dir: Path, runs_dir: Path) -> dict[str, dict]:
    """name -> {"path": folder, **metadata} for every model that opens; broken folders are
    left out (they are listed as unusable by `python -m charlm models`)."""
    catalogue = {}
    for name, path in list_models(artifacts_dir, runs_dir).items():
        try:
            catalogue[name] = {"path": path, **open_model_folder(path).metadata}
        except ArtifactError:
            continue
    return catalogue


def _stamp(path: Path) -> float:
    """Changes when a model folder is replaced, so the cache never serves a stale model."""
    try:
        return (path / "metadata.json").stat().st_mtime
    except OSError:
        return 0.0


@st.cache_resource(max_entries=16, show_spinner=False)
def _cached_sampler(path: str, epoch: int | None, stamp: float) -> tuple[Sampler, ModelFolder]:
    return load_sampler(path, epoch)


def get_sampler(path: Path, epoch: int | None = None) -> tuple[Sampler, ModelFolder]:
    return _cached_sampler(str(path), epoch, _stamp(path))


@st.cache_resource(show_spinner=False)
def corpus_text() -> str | None:
    """The Nietzsche text if a verified copy is on this machine (never downloads here)."""
    try:
        return load_corpus(download=False)
    except CorpusError:
        return None


def passage(length: int, rng_seed: int | None) -> str:
    text = corpus_text()
    if text is None:
        return FALLBACK_SEED[-length:]
    return random_passage(text, length, rng_seed)


# Shared by every visitor: a class starting from the same passage hits it often. At most 64
# kept: a 400-character single-temperature entry holds 91 kB of float32 logits, the largest
# (6 temperatures x 2,000 steps) 2.7 MB.
@st.cache_resource(max_entries=64, show_spinner=False)
def _cached_generation(path, epoch, stamp, seed_text, length, temps, rng_seed, top_k, top_p):
    sampler, _ = _cached_sampler(path, epoch, stamp)
    start = time.perf_counter()
    generation = sampler.generate(
        seed_text, length, temps, rng_seed=rng_seed, top_k=top_k, top_p=top_p, coupled=True
    )
    return generation, time.perf_counter() - start


def generate(
    path: Path, epoch, seed_text, length, temps, rng_seed, top_k, top_p
) -> tuple[Generation, float]:
    """(generation, seconds it took when first computed); identical requests are cached."""
    return _cached_generation(
        str(path), epoch, _stamp(path), seed_text, length, tuple(temps), rng_seed, top_k, top_p
    )
