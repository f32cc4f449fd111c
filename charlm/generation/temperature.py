"""Pure NumPy math of softmax temperature: reweight, greedy, entropy, top-k, top-p.

Every function takes probabilities along the last axis and works on any leading shape.
No TensorFlow here.
"""

from __future__ import annotations

import math

import numpy as np

GREEDY = "greedy"


def check_temperature(temperature) -> float:
    """Return `temperature` as a float, or raise ValueError naming the bad value."""
    try:
        value = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a number > 0 (got {temperature!r})") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"temperature must be finite and > 0 (got {temperature!r}); use greedy for argmax"
        )
    return value


def log_probs(probs: np.ndarray) -> np.ndarray:
    """log p with log 0 = -inf and no divide-by-zero warning."""
    probs = np.asarray(probs, dtype=np.float64)
    out = np.full(probs.shape, -np.inf)
    np.log(probs, out=out, where=probs > 0)
    return out


def softmax(logits: np.ndarray) -> np.ndarray:
    logits = np.asarray(logits, dtype=np.float64)
    top = np.max(logits, axis=-1, keepdims=True)
    weights = np.exp(logits - np.where(np.isfinite(top), top, 0.0))
    return weights / weights.sum(axis=-1, keepdims=True)


def reweight(probs: np.ndarray, temperature: float) -> np.ndarray:
    """q proportional to exp(log p / T) = p^(1/T), computed in log space so T = 0.01 or 100
    neither underflows to all-zero nor overflows."""
    t = check_temperature(temperature)
    return softmax(log_probs(probs) / t)


def greedy(probs: np.ndarray) -> np.ndarray:
    """The T -> 0 limit: all mass on the most likely character (first one on ties)."""
    probs = np.asarray(probs, dtype=np.float64)
    out = np.zeros_like(probs)
    np.put_along_axis(out, np.argmax(probs, axis=-1)[..., None], 1.0, axis=-1)
    return out


def entropy_bits(probs: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits (0 log 0 = 0)."""
    probs = np.asarray(probs, dtype=np.float64)
    terms = np.zeros_like(probs)
    np.multiply(-probs, log_probs(probs), out=terms, where=probs > 0)
    return terms.sum(axis=-1) / math.log(2)


def perplexity(probs: np.ndarray) -> np.ndarray:
    return np.exp2(entropy_bits(probs))


def top_k_filter(probs: np.ndarray, k: int) -> np.ndarray:
    """Keep exactly the k most likely characters and renormalise.

    Ties at the boundary are broken by index (lower index kept), so exactly k survive.
    """
    probs = np.asarray(probs, dtype=np.float64)
    size = probs.shape[-1]
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"top_k must be an integer >= 1 (got {k!r})")
    if k >= size:
        return probs / probs.sum(axis=-1, keepdims=True)
    order = np.argsort(-probs, axis=-1, kind="stable")
    keep = np.zeros(probs.shape, dtype=bool)
    np.put_along_axis(keep, order[..., :k], True, axis=-1)
    kept = np.where(keep, probs, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def top_p_filter(probs: np.ndarray, p: float) -> np.ndarray:
    """Nucleus filter: the smallest most-likely set whose mass reaches p (at least one kept)."""
    if not (isinstance(p, (int, float)) and math.isfinite(p) and 0 < p <= 1):
        raise ValueError(f"top_p must be in (0, 1] (got {p!r})")
    probs = np.asarray(probs, dtype=np.float64)
    order = np.argsort(-probs, axis=-1, kind="stable")
    sorted_probs = np.take_along_axis(probs, order, axis=-1)
    mass_before = np.cumsum(sorted_probs, axis=-1) - sorted_probs
    keep_sorted = mass_before < p * sorted_probs.sum(axis=-1, keepdims=True)
    keep_sorted[..., 0] = True
    keep = np.zeros(probs.shape, dtype=bool)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    kept = np.where(keep, probs, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def transform(probs, temperature, top_k: int | None = None, top_p: float | None = None):
    """Temperature (or GREEDY) first, then top-k, then top-p: the distribution sampled from."""
    out = greedy(probs) if temperature == GREEDY else reweight(probs, temperature)
    if top_k is not None:
        out = top_k_filter(out, top_k)
    if top_p is not None:
        out = top_p_filter(out, top_p)
    return out
