"""Cached loading and generation for the page (no TensorFlow anywhere on this path)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import numpy as np
import streamlit as st

from charlm.analysis import influence, neuron_report, neurons, sweep, sweep_store
from charlm.generation.artifacts import (
    ArtifactError,
    ModelFolder,
    list_models,
    load_sampler,
    open_model_folder,
)
from charlm.generation.sampler import Generation, Sampler
from charlm.serving import ownership
from charlm.serving.jobs import UPLOAD_FILE
from charlm.text.corpus import (  # noqa: F401 (FALLBACK_SEED: the page's opening line)
    FALLBACK_SEED,
    NIETZSCHE_SHA256,
    CorpusError,
    load_corpus,
    random_passage,
)
from charlm.ui import gate, strings
from charlm.ui.memo import SharedCache

# One scan of the model folders per 2 s for the whole server, not one per visitor per move:
# a new model appears within 2 s, and 40 students moving sliders cost one directory walk.
_catalogues = SharedCache(max_entries=4, ttl=2.0)
_samplers = SharedCache(max_entries=16)
# A class starting from the same passage hits this often. An entry holds its float32 logits
# (400 characters at one temperature: 91 kB), its ids and, once shown, the page's coloured HTML
# (~130 bytes a character, about half the logits), hence a weight of 2x the logits. Unbounded,
# 64 entries of a real class's lengths reached a 299 MB peak (issue 17).
GENERATIONS_MB = 16
_generations = SharedCache(
    max_entries=64,
    max_bytes=GENERATIONS_MB * 2**20,
    weigh=lambda entry: 2 * entry[0].logits.nbytes + 65_536,
)
_heldout = SharedCache(max_entries=8)  # per model: predictions on its held-out slice
_sweeps = SharedCache(max_entries=256)  # 20 points each: ~10 kB; two models x the pool
SWEEP_LENGTH = sweep_store.PAGE_SWEEP_LENGTH


def _shared(cache: SharedCache, key, compute):
    """cache.get(key, compute), with a miss computed outside the page slot (gate.heavy_work):
    the NumPy work of one visitor then overlaps the next visitor's page on the other core."""
    found, value = cache.peek(key)
    if found:
        return value
    with gate.heavy_work():
        return cache.get(key, compute)


def model_catalogue(artifacts_dir: Path, runs_dir: Path) -> dict[str, dict]:
    """name -> {"path": folder, **metadata} for every model folder; one whose files do not
    open has {"path": folder, "_unusable": why} instead and is never offered for generation."""

    def scan() -> dict[str, dict]:
        catalogue = {}
        for name, path in list_models(artifacts_dir, runs_dir).items():
            try:
                catalogue[name] = {"path": path, **open_model_folder(path).metadata}
            except ArtifactError as exc:
                catalogue[name] = {"path": path, "_unusable": str(exc)}
            if name.startswith("runs/"):  # who may see it: the run folder's access record
                catalogue[name]["_access"] = ownership.read_access(Path(path).parent)
        return catalogue

    return _catalogues.get((str(artifacts_dir), str(runs_dir)), scan)


def _stamp(path: Path) -> float:
    """Changes when a model folder is replaced, so the cache never serves a stale model."""
    try:
        return (path / "metadata.json").stat().st_mtime
    except OSError:
        return 0.0


def get_sampler(path: Path, epoch: int | None = None) -> tuple[Sampler, ModelFolder]:
    key = (str(path), epoch, _stamp(path))
    return _samplers.get(key, lambda: load_sampler(path, epoch))


@st.cache_resource(show_spinner=False)
def corpus_text() -> str | None:
    """The Nietzsche text if a verified copy is on this machine (never downloads here)."""
    try:
        return load_corpus(download=False)
    except CorpusError:
        return None


# "Another passage" draws from a fixed pool of passages, not from anywhere in the corpus: a class
# clicking it then meets the same few dozen seed texts, so each passage's Compare sweep (the
# heaviest run) is precomputed in the model's sweeps.json (analysis/sweep_store) and its
# generations are computed once and shared (issue 17). 64 is more than a class sees in a lesson.
PASSAGE_POOL = sweep_store.PASSAGE_POOL


def trained_on_nietzsche(metadata: dict | None) -> bool:
    corpus = (metadata or {}).get("corpus") or {}
    return corpus.get("sha256") == NIETZSCHE_SHA256 or corpus.get("source") == "nietzsche.txt"


def passage(
    length: int, rng_seed: int | None, path: Path | None = None, avoid: str | None = None
) -> str | None:
    """A passage of about `length` characters in the model's own language: from its folder's
    held-out text (heldout.txt); for a Nietzsche model without one, from the corpus (or the
    preface's line). None for any other model without held-out text. With `rng_seed` None it
    is one of the pool's, other than `avoid` (the passage shown now: the button must change it)."""
    source = None
    if path is not None:
        try:
            folder = open_model_folder(path)
        except ArtifactError:
            return None
        source = folder.heldout_text()
        if not source and not trained_on_nietzsche(folder.metadata):
            return None
    source = source or corpus_text()
    if source is None:
        return FALLBACK_SEED[-length:]
    if rng_seed is not None:
        return random_passage(source, length, rng_seed)
    for index in random.sample(range(PASSAGE_POOL), PASSAGE_POOL):
        found = random_passage(source, length, index)
        if found != avoid:
            return found
    return found


def corpus_name(lang: str, entry: dict | None) -> str:
    """What a model learned from, in words: Nietzsche's book, the text uploaded for a run, or
    the corpus file's name (from the model's metadata)."""
    corpus = (entry or {}).get("corpus") or {}
    if trained_on_nietzsche(entry):
        return strings.text(lang, "corpus_nietzsche")
    source = corpus.get("source")
    if source == UPLOAD_FILE and entry.get("name"):
        return strings.text(lang, "corpus_uploaded", model=entry["name"])
    if source:
        return strings.text(lang, "corpus_file", name=source)
    return strings.text(lang, "corpus_unknown")


def generate(
    path: Path, epoch, seed_text, length, temps, rng_seed, top_k, top_p, min_p=None
) -> tuple[Generation, float]:
    """(generation, seconds it took when first computed); identical requests are shared."""
    stamp = _stamp(path)
    key = (str(path), epoch, stamp, seed_text, length, tuple(temps), rng_seed, top_k, top_p, min_p)

    def compute():
        sampler, _ = get_sampler(path, epoch)
        start = time.perf_counter()
        generation = sampler.generate(
            seed_text,
            length,
            temps,
            rng_seed=rng_seed,
            top_k=top_k,
            top_p=top_p,
            coupled=True,
            min_p=min_p,
        )
        return generation, time.perf_counter() - start

    return _shared(_generations, key, compute)


def temperature_sweep(path: Path, epoch, seed_text: str, rng_seed: int):
    """The sweep for a model and seed text (list of sweep.SweepPoint): from the model's
    sweeps.json when it holds this one, else computed once."""
    stamp = _stamp(path)

    def heldout():
        sampler, folder = get_sampler(path, epoch)
        return sweep_store.heldout_of(sampler, folder)

    def compute():
        if epoch is None:
            shipped = _shipped_sweeps.get(
                (str(path), stamp, rng_seed), lambda: read_shipped(path, rng_seed)
            )
            if seed_text in shipped:
                return shipped[seed_text]
        sampler, folder = get_sampler(path, epoch)
        held = _heldout.get((str(path), epoch, stamp), heldout)
        return sweep_store.page_sweep(sampler, folder, seed_text, rng_seed, held)

    return _shared(_sweeps, (str(path), epoch, stamp, seed_text, rng_seed), compute)


_shipped_sweeps = SharedCache(max_entries=8)


def read_shipped(path: Path, rng_seed: int) -> dict:
    return sweep_store.read_sweeps(path, SWEEP_LENGTH, sweep.temperature_grid(), rng_seed)


def knob_sweep(path: Path, epoch, seed_text: str, rng_seed: int, knob: str, temperature: float):
    """The sweep along top-p or min-p (sweep.KNOB_VALUES[knob]) at one temperature, a list of
    sweep.KnobPoint, computed once (11 generations of 300 characters: 0.4 s for the 2x384
    model here, both knobs 0.68 s). Raises ValueError for an unknown knob."""

    def compute():
        sampler, folder = get_sampler(path, epoch)
        values = sweep.KNOB_VALUES[knob]
        known = folder.known_words()
        return sweep.knob_sweep(
            sampler, seed_text, knob, values, temperature, SWEEP_LENGTH, rng_seed, known
        )

    if knob not in sweep.KNOB_VALUES:
        raise ValueError(f"knob must be one of {tuple(sweep.KNOB_VALUES)} (got {knob!r})")
    key = (str(path), epoch, _stamp(path), seed_text, rng_seed, knob, float(temperature))
    return _shared(_sweeps, key, compute)


# ---- inside the LSTM ------------------------------------------------------------------

# float16 halves an entry: 2,400 characters of the 2x384 model's tanh(c) and h take 7.4 MB.
# At most 12 MB in all: six long texts (44 MB) kept the mix's peak over 250 MB (issue 17).
_activations = SharedCache(
    max_entries=6,
    max_bytes=12 * 2**20,
    weigh=lambda acts: sum(a.nbytes for a in (*acts.cell, *acts.hidden)),
)
_reports = SharedCache(max_entries=8)
_influences = SharedCache(max_entries=32)
PAGE_REPORT_CHARS = 4000  # a model without neurons.json: its heldout.txt, about 1 s (2x384)
PAGE_SPAN_POSITIONS = 10


def cell_activations(path: Path, epoch, text: str) -> neurons.Activations:
    """tanh(c) and h of every cell over `text` (characters outside the alphabet dropped)."""

    def compute():
        sampler, _ = get_sampler(path, epoch)
        ids = sampler.vocab.encode(text, on_unknown="drop")
        acts = neurons.activations(sampler.network, ids)
        return neurons.Activations(
            cell=tuple(a.astype(np.float16) for a in acts.cell),
            hidden=tuple(a.astype(np.float16) for a in acts.hidden),
        )

    return _shared(_activations, (str(path), epoch, _stamp(path), text), compute)


def cell_report(path: Path, epoch) -> dict | None:
    """The model's neurons.json; for a snapshot, or a model without one, found on its
    held-out text here (None when it has none)."""

    def compute():
        sampler, folder = get_sampler(path, epoch)
        if epoch is None and (saved := neuron_report.read_report(folder.path)) is not None:
            return saved
        text = folder.heldout_text()
        if not text or len(text) < 200:
            return None
        return neuron_report.build_report(
            sampler.network,
            sampler.vocab,
            text,
            "heldout.txt",
            PAGE_REPORT_CHARS,
            PAGE_SPAN_POSITIONS,
        )

    return _reports.get((str(path), epoch, _stamp(path)), compute)


def context_influence(path: Path, epoch, context: str):
    """(characters kept, influence of each) on the prediction after `context`, by occlusion."""

    def compute():
        sampler, _ = get_sampler(path, epoch)
        kept, _ = sampler.vocab.clean(context)
        if not kept:
            return kept, np.zeros(0)
        scores, _ = influence.occlusion(sampler.network, sampler.vocab.encode(kept))
        return kept, scores

    return _shared(_influences, (str(path), epoch, _stamp(path), context), compute)
