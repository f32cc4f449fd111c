"""Pure NumPy math of softmax temperature: reweight, greedy, entropy, top-k, top-p, min-p.

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


def min_p_filter(probs: np.ndarray, min_p: float) -> np.ndarray:
    """Min-p filter: keep the characters at least `min_p` times as likely as the likeliest
    one, and renormalise (Nguyen et al., "Turning Up the Heat: Min-p Sampling for Creative and
    Coherent LLM Outputs", arXiv:2407.01082, 2024: keep x where p(x) >= p_base * max p).

    The bar rises with the model's confidence: a sure step keeps few, an open one many. The
    likeliest character always survives. Raises ValueError unless 0 < min_p <= 1.
    """
    if not (isinstance(min_p, (int, float)) and math.isfinite(min_p) and 0 < min_p <= 1):
        raise ValueError(f"min_p must be in (0, 1] (got {min_p!r})")
    probs = np.asarray(probs, dtype=np.float64)
    keep = probs >= min_p * probs.max(axis=-1, keepdims=True)
    kept = np.where(keep, probs, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def pipeline(probs, temperature, top_k=None, top_p=None, min_p=None) -> list[tuple]:
    """Each stage of the sampling pipeline in its order, T -> top-k -> top-p -> min-p, each
    renormalised: [(stage, distribution)], starting with ("model", probs); a knob that is off
    adds no stage. The last distribution is what transform() returns."""
    out = greedy(probs) if temperature == GREEDY else reweight(probs, temperature)
    stages = [("model", np.asarray(probs, dtype=np.float64)), ("temperature", out)]
    for name, knob, apply in (
        ("top_k", top_k, top_k_filter),
        ("top_p", top_p, top_p_filter),
        ("min_p", min_p, min_p_filter),
    ):
        if knob is not None:
            out = apply(out, knob)
            stages.append((name, out))
    return stages


def transform(probs, temperature, top_k=None, top_p=None, min_p=None):
    """Temperature (or GREEDY) first, then top-k, then top-p, then min-p: the distribution
    sampled from."""
    return pipeline(probs, temperature, top_k, top_p, min_p)[-1][1]


def effective_choices(probs: np.ndarray) -> np.ndarray:
    """2^entropy: how many equally likely characters would be as uncertain (1 = certain)."""
    return perplexity(probs)


def draw(probs: np.ndarray, count: int, rng_seed: int | None, step: int = 0) -> np.ndarray:
    """(V,) how often each character comes up in `count` draws from one distribution (V,).

    The random numbers come from (rng_seed, step), so a link with the same seed and step draws
    the same counts. Raises ValueError unless count >= 1.
    """
    if not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be an integer >= 1 (got {count!r})")
    probs = np.asarray(probs, dtype=np.float64)
    seed = [0 if rng_seed is None else int(rng_seed), int(step)]
    uniform = np.random.default_rng(seed).random(count)
    cumulative = np.cumsum(probs / probs.sum())
    picks = np.minimum(np.searchsorted(cumulative, uniform, side="right"), probs.size - 1)
    return np.bincount(picks, minlength=probs.size)
