"""sweeps.json in a model folder: temperature sweeps computed ahead of time for the seed texts
a class meets (the opening line and the "Another passage" pool), so the page never computes
them while a class waits.

A Compare sweep is the page's heaviest run: 20 temperatures x 300 characters, 237 ms on the
2x384 model against 50 ms for a whole Explore text (2-core machine, 2026-12-01). Its result is
20 points of 5 numbers, so a model's whole pool is a few kB on disk.

The file names the digests of everything a sweep depends on (model weights, known words,
held-out text) and the sweep's own settings; when any differs it is ignored, never trusted. It
is untrusted input like every file: size-capped, and every field checked.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np

from charlm.analysis import sweep
from charlm.common.atomic import write_text
from charlm.text.corpus import FALLBACK_SEED, random_passage

SWEEPS_FILE = "sweeps.json"
FORMAT = 1
MAX_FILE_BYTES = 4 * 1024 * 1024
PASSAGE_POOL = 64  # "Another passage" draws from this many passages of a model's held-out text
DIGESTED = ("model.keras", "words.txt", "heldout.txt")
PAGE_SWEEP_LENGTH = 300  # characters per temperature on the page's Compare view


def heldout_of(sampler, folder):
    """(log_probs, targets) on the folder's held-out text for the calibration curve, or None
    when it has none (or less than one window)."""
    text = folder.heldout_text()
    if not text:
        return None
    ids = np.asarray(sampler.vocab.encode(text, on_unknown="drop"))
    try:
        return sweep.heldout_predictions(sampler.network, ids, folder.context_length)
    except ValueError:  # shorter than one window
        return None


def page_sweep(sampler, folder, seed_text: str, rng_seed: int, heldout) -> list:
    """The sweep the Compare view shows (the page and the precomputed file use this one)."""
    return sweep.sweep(
        sampler, seed_text, PAGE_SWEEP_LENGTH, None, rng_seed, folder.known_words(), heldout
    )


def class_seeds(folder) -> list[str]:
    """The seed texts a class meets on this model: the opening line, then the pool."""
    source = folder.heldout_text()
    length = max(folder.context_length, 60)
    return [FALLBACK_SEED, *(pool_passages(source, length) if source else [])]


def precompute(sampler, folder, rng_seed: int) -> Path:
    """Write the folder's sweeps.json for every seed text in class_seeds (the page's settings)."""
    held = heldout_of(sampler, folder)
    return write_sweeps(
        folder.path,
        class_seeds(folder),
        lambda seed: page_sweep(sampler, folder, seed, rng_seed, held),
        PAGE_SWEEP_LENGTH,
        sweep.temperature_grid(),
        rng_seed,
    )


def pool_passages(source: str, length: int, count: int = PASSAGE_POOL) -> list[str]:
    """The pool "Another passage" draws from: passage i is random_passage(source, length, i)."""
    return [random_passage(source, length, index) for index in range(count)]


def folder_digests(folder: Path | str) -> dict[str, str | None]:
    """sha256 of each file a sweep depends on (None for one the folder lacks)."""
    out = {}
    for name in DIGESTED:
        path = Path(folder) / name
        out[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return out


def settings_of(length: int, temperatures, rng_seed: int) -> dict:
    return {"length": length, "temperatures": list(temperatures), "rng_seed": rng_seed}


def write_sweeps(folder, seeds, compute, length: int, temperatures, rng_seed: int) -> Path:
    """Compute `compute(seed_text) -> [SweepPoint]` for each distinct seed text and write
    sweeps.json atomically. Returns the file's path."""
    entries = {}
    for seed_text in dict.fromkeys(seeds):
        entries[seed_text] = [_point_dict(p) for p in compute(seed_text)]
    payload = {
        "format": FORMAT,
        "digests": folder_digests(folder),
        "settings": settings_of(length, temperatures, rng_seed),
        "sweeps": entries,
    }
    path = Path(folder) / SWEEPS_FILE
    write_text(path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
    return path


def read_sweeps(folder, length: int, temperatures, rng_seed: int) -> dict[str, list]:
    """seed text -> [SweepPoint] from the folder's sweeps.json when it was computed for this
    very folder and these settings; {} otherwise (missing, stale, too big or malformed)."""
    path = Path(folder) / SWEEPS_FILE
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return {}
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        return {}
    if payload.get("settings") != settings_of(length, temperatures, rng_seed):
        return {}
    if payload.get("digests") != folder_digests(folder):
        return {}
    sweeps = payload.get("sweeps")
    if not isinstance(sweeps, dict):
        return {}
    out = {}
    for seed_text, points in sweeps.items():
        parsed = _points(points, len(temperatures))
        if parsed is not None:
            out[seed_text] = parsed
    return out


def _point_dict(point: sweep.SweepPoint) -> dict:
    return {
        "temperature": point.temperature,
        "real_words": point.real_words,
        "repetition": point.repetition,
        "surprisal_bits": point.surprisal_bits,
        "calibration_nats": point.calibration_nats,
    }


def _number(value, optional: bool) -> bool:
    if value is None:
        return optional
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _points(points, count: int) -> list[sweep.SweepPoint] | None:
    if not isinstance(points, list) or len(points) != count:
        return None
    out = []
    for point in points:
        if not isinstance(point, dict) or set(point) != set(sweep.SweepPoint.__annotations__):
            return None
        if not _number(point["temperature"], False) or not _number(point["surprisal_bits"], False):
            return None
        if not all(
            _number(point[k], True) for k in ("real_words", "repetition", "calibration_nats")
        ):
            return None
        out.append(sweep.SweepPoint(**point))
    return out
