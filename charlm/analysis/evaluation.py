"""Validation loss on the standard split, computed on the NumPy network (no TensorFlow).

Each recipe is scored on the context it was trained on:
- seed: every third 60-character window of the validation text predicts the character after
  it (what the notebook's `validation_split`-style evaluation measures);
- fast: windows of seq_len characters scored on their second half only, so every scored
  character has between seq_len/2 and seq_len characters of context.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from charlm.generation.network import Network


@dataclass(frozen=True)
class Scheme:
    window: int  # characters read per window
    score_from: int  # first position whose next-character prediction counts
    stride: int


def scheme_for(network: Network, context_length: int) -> Scheme:
    if network.window is not None:  # fixed-window recipe (seed)
        return Scheme(window=network.window, score_from=network.window - 1, stride=3)
    half = context_length // 2
    return Scheme(window=context_length, score_from=half, stride=context_length - half)


def window_starts(length: int, scheme: Scheme) -> np.ndarray:
    starts = np.arange(0, length - scheme.window, scheme.stride)
    if len(starts) == 0:
        raise ValueError(f"validation text of {length} characters is shorter than one window")
    return starts


def scored_predictions(
    network: Network, ids: np.ndarray, scheme: Scheme, batch: int = 1024, starts=None
):
    """Yields (log_probs (B, S, V), targets (B, S)) for the characters the scheme scores
    (in the windows starting at `starts`: default, all of them)."""
    starts = window_starts(len(ids), scheme) if starts is None else np.asarray(starts)
    offsets = np.arange(scheme.window + 1)
    for first in range(0, len(starts), batch):
        windows = ids[starts[first : first + batch, None] + offsets[None, :]]
        log_probs = network.log_probs_over(windows[:, :-1], scheme.score_from)
        yield log_probs, windows[:, scheme.score_from + 1 :]


SLICE_CHARS = 12_000  # characters the quick validation pass scores (standard error ~0.015)
SLICE_WINDOWS_MAX = 4000


def slice_starts(length: int, scheme: Scheme, chars: int = SLICE_CHARS) -> np.ndarray:
    """A fixed subset of the scheme's windows, spread evenly over the whole validation text,
    scoring about `chars` characters: a validation pass cheap enough to run every few seconds."""
    starts = window_starts(length, scheme)
    per_window = scheme.window - scheme.score_from
    count = min(len(starts), SLICE_WINDOWS_MAX, max(chars // per_window, 1))
    return starts[np.linspace(0, len(starts) - 1, count).astype(int)]


def mean_nll(
    network: Network, ids: np.ndarray, scheme: Scheme, batch: int = 1024, starts=None
) -> tuple[float, int]:
    """(mean negative log-likelihood in nats per character, characters scored)."""
    total, count = 0.0, 0
    for log_probs, targets in scored_predictions(network, ids, scheme, batch, starts):
        picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)
        total -= float(picked.sum())
        count += targets.size
    return total / count, count


# Windows scored at once: 256 keeps the float64 log-probabilities of a batch near 4 MB (the
# trainer's export runs this, and 1,024 added 45 MB to its peak memory).
EVAL_BATCH = 256


def validation_figures(network: Network, val_ids: np.ndarray, context_length: int) -> dict:
    scheme = scheme_for(network, context_length)
    nats, count = mean_nll(network, val_ids, scheme, EVAL_BATCH)
    return {
        "loss_nats": round(nats, 5),
        "bits_per_char": round(nats / math.log(2), 5),
        "chars_scored": count,
        "method": (
            f"window {scheme.window}, scored from {scheme.score_from}, stride {scheme.stride}"
        ),
    }
