"""The lesson as numbers. For a grid of temperatures, one coupled generation gives:

- real words: the share of generated words found in the model's training text;
- repetition: the share of word 4-grams that already occurred earlier in the same text;
- surprisal: the mean surprisal (bits) of the chosen characters under the model at T = 1;
- calibration: the cross-entropy (nats/char) of the reweighted q_T on held-out text. A
  calibrated model is best at T = 1; a minimum below 1 means the model spreads its bets too
  widely (it is under-confident), above 1 that it is over-confident.

Pure NumPy on the NumPy network: no TensorFlow, no Streamlit.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from charlm.analysis.evaluation import scheme_for, scored_predictions

LESSON_TEMPERATURES = (0.2, 0.5, 1.0, 1.2)
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")  # letters of any script, inner apostrophes kept
NGRAM = 4


def temperature_grid(points: int = 20, low: float = 0.1, high: float = 2.0) -> tuple:
    """Evenly spaced temperatures; the default grid (0.1 … 2.0 by 0.1) holds the lesson's four."""
    return tuple(round(float(t), 4) for t in np.linspace(low, high, points))


def words_of(text: str) -> list[str]:
    return WORD.findall(text.lower())


def word_list(text: str) -> list[str]:
    """The distinct words of a text, sorted: what a model folder ships as words.txt."""
    return sorted(set(words_of(text)))


def real_word_share(text: str, known: set[str]) -> float | None:
    words = words_of(text)
    if not words:
        return None
    return sum(word in known for word in words) / len(words)


def repeated_ngram_share(text: str, n: int = NGRAM) -> float | None:
    """Share of word n-grams that repeat one seen earlier in the text (0: no repeats)."""
    words = words_of(text)
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    if not grams:
        return None
    seen: Counter = Counter()
    repeats = 0
    for gram in grams:
        repeats += seen[gram] > 0
        seen[gram] += 1
    return repeats / len(grams)


def calibration_curve(log_probs: np.ndarray, targets: np.ndarray, temperatures) -> np.ndarray:
    """Cross-entropy (nats per character) of q_T = softmax(log p / T) at each temperature."""
    log_probs = np.asarray(log_probs, float).reshape(-1, log_probs.shape[-1])
    targets = np.asarray(targets).reshape(-1)
    out = []
    for t in temperatures:
        scaled = log_probs / t
        top = scaled.max(axis=1, keepdims=True)
        log_norm = top[:, 0] + np.log(np.exp(scaled - top).sum(axis=1))
        out.append(float(np.mean(log_norm - scaled[np.arange(len(targets)), targets])))
    return np.array(out)


def heldout_predictions(network, ids: np.ndarray, context_length: int):
    """(log_probs, targets) for held-out text, scored the way validation is (see evaluation)."""
    parts = list(scored_predictions(network, np.asarray(ids), scheme_for(network, context_length)))
    log_probs = np.concatenate([lp.reshape(-1, lp.shape[-1]) for lp, _ in parts])
    targets = np.concatenate([t.reshape(-1) for _, t in parts])
    return log_probs, targets


@dataclass(frozen=True)
class SweepPoint:
    temperature: float
    real_words: float | None
    repetition: float | None
    surprisal_bits: float
    calibration_nats: float | None


def sweep(
    sampler,
    seed_text: str,
    length: int = 400,
    temperatures=None,
    rng_seed: int = 0,
    known_words: set[str] | None = None,
    heldout: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[SweepPoint]:
    """Every figure at every temperature, from one batched generation with shared randomness."""
    temps = temperature_grid() if temperatures is None else tuple(temperatures)
    gen = sampler.generate(seed_text, length, temps, rng_seed=rng_seed, coupled=True)
    calibration = calibration_curve(*heldout, temps) if heldout is not None else None
    points = []
    for row, t in enumerate(temps):
        chosen = gen.chosen_probabilities(row, reweighted=False)
        surprisal = float(np.mean(-np.log2(np.maximum(chosen, 1e-300))))
        text = gen.texts[row]
        points.append(
            SweepPoint(
                temperature=t,
                real_words=real_word_share(text, known_words) if known_words else None,
                repetition=repeated_ngram_share(text),
                surprisal_bits=surprisal,
                calibration_nats=None if calibration is None else float(calibration[row]),
            )
        )
    return points


def calibration_minimum(points: list[SweepPoint]) -> float | None:
    scored = [p for p in points if p.calibration_nats is not None]
    if not scored:
        return None
    return min(scored, key=lambda p: p.calibration_nats).temperature


KNOBS = ("top_p", "min_p")
# The page's grids, from nearly off to strict: top-p keeps the likeliest characters up to this
# much probability (1.0: all), min-p those at least this share of the likeliest one's.
KNOB_VALUES = {
    "top_p": (1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2),
    "min_p": (0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5),
}


@dataclass(frozen=True)
class KnobPoint:
    knob: str  # "top_p" or "min_p"
    value: float
    real_words: float | None
    repetition: float | None
    surprisal_bits: float


def knob_sweep(
    sampler,
    seed_text: str,
    knob: str,
    values,
    temperature: float = 1.0,
    length: int = 300,
    rng_seed: int = 0,
    known_words: set[str] | None = None,
) -> list[KnobPoint]:
    """The sweep along top-p or min-p at one temperature: one generation per value, all with
    the same random numbers, so a class can see which knob keeps more real words at the same
    surprisal. Raises ValueError for an unknown knob or a value outside (0, 1]."""
    if knob not in KNOBS:
        raise ValueError(f"knob must be one of {KNOBS} (got {knob!r})")
    points = []
    for value in values:
        gen = sampler.generate(
            seed_text, length, [temperature], rng_seed=rng_seed, **{knob: float(value)}
        )
        chosen = gen.chosen_probabilities(0, reweighted=False)
        text = gen.texts[0]
        points.append(
            KnobPoint(
                knob=knob,
                value=float(value),
                real_words=real_word_share(text, known_words) if known_words else None,
                repetition=repeated_ngram_share(text),
                surprisal_bits=float(np.mean(-np.log2(np.maximum(chosen, 1e-300)))),
            )
        )
    return points
