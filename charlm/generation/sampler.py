"""Stateful character generation on the NumPy network, several temperatures at once.

Sampling uses the Gumbel-max trick: argmax(log q + G) with G = -log(-log U) draws from q, and
since log q = logits / T - const, that is argmax(logits + T * G). The dense bias and T * G are
precomputed for all steps, so a step is the LSTM update plus one matmul, one add and one
argmax. Coupled mode shares U (hence G) across temperatures: differences between the texts
come from temperature alone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from charlm.generation import temperature as tmath
from charlm.generation.network import Network
from charlm.text.corpus import normalize
from charlm.text.vocab import Vocabulary

MAX_LENGTH = 100_000
WARM_STATES = 256  # contexts whose LSTM state is kept: 2 x 2 x 384 floats each, 6 kB
# Logits kept for the step inspector: temperatures x characters x vocabulary floats. 25 M
# floats (100 MB) bounds any request: 100 temperatures x 100,000 characters is refused.
MAX_LOGIT_CELLS = 25_000_000
EMPTY_SEED_NOTE = "An empty seed text starts from the LSTM's zero state (a blank page)."


def check_temperatures(temperatures) -> tuple:
    values = tuple(temperatures)
    if not values:
        raise ValueError("give at least one temperature")
    return tuple(t if t == tmath.GREEDY else tmath.check_temperature(t) for t in values)


def check_length(length) -> int:
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)):
        raise ValueError(f"length must be a whole number (got {length!r})")
    if not 1 <= length <= MAX_LENGTH:
        raise ValueError(f"length must be between 1 and {MAX_LENGTH} (got {length})")
    return int(length)


@dataclass
class Generation:
    """The texts and, for every step, the logits they were drawn from (cheap to keep)."""

    vocab: Vocabulary
    temperatures: tuple
    seed_text: str
    dropped: list[str]
    ids: np.ndarray  # (K, N) chosen ids per temperature
    logits: np.ndarray  # (N, K, V) raw next-char logits before each choice
    top_k: int | None = None
    top_p: float | None = None
    min_p: float | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def texts(self) -> list[str]:
        return [self.vocab.decode(row) for row in self.ids]

    def before(self, row: int) -> np.ndarray:
        """(N, V) model distributions for temperature row `row`."""
        return tmath.softmax(self.logits[:, row, :])

    def after(self, row: int) -> np.ndarray:
        """(N, V) distributions actually sampled from (temperature, then top-k/top-p/min-p).
        Recomputed on each call (~1 ms for 1,500 characters): a cached generation keeps only
        its logits and small results, not these float64 arrays (issue 17's memory)."""
        knobs = (self.top_k, self.top_p, self.min_p)
        return tmath.transform(self.before(row), self.temperatures[row], *knobs)

    def mean_entropy_bits(self, row: int) -> float:
        """Mean entropy (bits) of the distributions sampled from, computed once."""
        return self.memo(
            ("mean_entropy", row), lambda: float(tmath.entropy_bits(self.after(row)).mean())
        )

    def memo(self, key, compute):
        """Anything derived from this generation, computed once (the page's coloured HTML is
        shared by every visitor who gets this cached generation)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def step(self, row: int, position: int) -> tuple[np.ndarray, np.ndarray]:
        """(before, after) distributions at one step: the inspector needs no other step."""
        before = tmath.softmax(self.logits[position, row, :])
        knobs = (self.top_k, self.top_p, self.min_p)
        return before, tmath.transform(before, self.temperatures[row], *knobs)

    def chosen_probabilities(self, row: int, reweighted: bool = True) -> np.ndarray:
        """(N,) probability of each chosen character, after (or before) reweighting."""
        probs = self.after(row) if reweighted else self.before(row)
        return np.take_along_axis(probs, self.ids[row][:, None], axis=1)[:, 0]


class Sampler:
    """Generates from a Network one character at a time, carrying the LSTM state."""

    def __init__(self, network: Network, vocab: Vocabulary, context_length: int):
        if network.vocab_size != vocab.size:
            raise ValueError(
                f"model outputs {network.vocab_size} characters but the vocabulary has {vocab.size}"
            )
        self.network = network
        self.vocab = vocab
        self.context_length = context_length
        self._warm: OrderedDict[str, list] = OrderedDict()  # context -> state (batch 1)
        self._warm_lock = threading.Lock()

    def prepare_seed(self, seed_text: str, on_unknown: str = "drop") -> tuple[str, list[str]]:
        """Normalize as the training text was (NFC, lowercase) and apply the unknown-char
        policy."""
        text = normalize(seed_text or "")
        if on_unknown == "error":
            self.vocab.encode(text, on_unknown="error")
            return text, []
        return self.vocab.clean(text)

    def warm_state(self, seed_text: str, batch: int):
        """State after reading the last `context_length` characters of the seed text —
        the context the model was trained on; empty means the zero state. The state of the
        last WARM_STATES contexts is kept: a class moving the temperature over one passage
        reads it once (10 ms of a 50 ms move on the 2x384 model)."""
        context = seed_text[-self.context_length :] if seed_text else ""
        with self._warm_lock:
            state = self._warm.get(context)
            if state is not None:
                self._warm.move_to_end(context)
        if state is None:
            state = self.network.zero_state(1)
            for char_id in self.vocab.encode(context) if context else []:
                state = self.network.step(np.array([char_id]), state)
            with self._warm_lock:
                self._warm[context] = state
                while len(self._warm) > WARM_STATES:
                    self._warm.popitem(last=False)
        return [(np.repeat(h, batch, 0), np.repeat(c, batch, 0)) for h, c in state]

    def gumbel_noise(self, rng_seed, steps: int, rows: int, coupled: bool) -> np.ndarray:
        """G = -log(-log U) of shape (steps, rows, V); coupled rows share the same U."""
        rng = np.random.default_rng(rng_seed)
        vocab = self.network.vocab_size
        shape = (steps, 1, vocab) if coupled else (steps, rows, vocab)
        uniform = np.maximum(rng.random(shape), np.finfo(np.float64).tiny)
        return np.broadcast_to(-np.log(-np.log(uniform)), (steps, rows, vocab))

    def generate(
        self,
        seed_text: str = "",
        length: int = 400,
        temperatures=(1.0,),
        rng_seed: int | None = None,
        top_k: int | None = None,
        top_p: float | None = None,
        coupled: bool = True,
        on_unknown: str = "drop",
        min_p: float | None = None,
    ) -> Generation:
        """Generate `length` characters for each temperature (or GREEDY) in one batched pass."""
        temps = check_temperatures(temperatures)
        steps = check_length(length)
        if top_k is not None:
            tmath.top_k_filter(np.ones(2), top_k)  # validates k
        if top_p is not None:
            tmath.top_p_filter(np.ones(2), top_p)  # validates p
        if min_p is not None:
            tmath.min_p_filter(np.ones(2), min_p)  # validates min-p
        rows = len(temps)
        if rows * steps * self.network.vocab_size > MAX_LOGIT_CELLS:
            most = MAX_LOGIT_CELLS // (rows * self.network.vocab_size)
            raise ValueError(
                f"{rows} temperature(s) x {steps:,} characters is too much work at once; "
                f"with {rows} temperature(s) ask for at most {most:,} characters"
            )
        seed, dropped = self.prepare_seed(seed_text, on_unknown)
        scale = np.array([0.0 if t == tmath.GREEDY else t for t in temps])[None, :, None]
        gumbel = self.gumbel_noise(rng_seed, steps, rows, coupled)
        state = self.warm_state(seed, rows)
        filtered = top_k is not None or top_p is not None or min_p is not None
        if filtered:
            knobs = (top_k, top_p, min_p)
            ids, logits = self._loop_filtered(state, steps, temps, gumbel, *knobs)
        else:
            noise = (self.network.dense_bias + scale * gumbel).astype(np.float32)
            ids, logits = self._loop(state, steps, noise)
            logits += self.network.dense_bias
        ids = ids.T.copy()
        return Generation(self.vocab, temps, seed, dropped, ids, logits, top_k, top_p, min_p)

    def _loop(self, state, steps: int, noise: np.ndarray):
        net = self.network
        rows = noise.shape[1]
        logits = np.empty((steps, rows, net.vocab_size), np.float32)
        ids = np.empty((steps, rows), np.int64)
        scratch = np.empty((rows, net.vocab_size), np.float32)
        kernel = net.dense_kernel
        for t in range(steps):
            np.matmul(state[-1][0], kernel, out=logits[t])
            np.add(logits[t], noise[t], out=scratch)
            ids[t] = chosen = scratch.argmax(axis=1)
            if t + 1 < steps:
                state = net.step(chosen, state)
        return ids, logits

    def _loop_filtered(self, state, steps, temps, gumbel, top_k, top_p, min_p=None):
        """Slower path: top-k/top-p/min-p need each step's full distribution."""
        net = self.network
        rows = len(temps)
        logits = np.empty((steps, rows, net.vocab_size), np.float32)
        ids = np.empty((steps, rows), np.int64)
        for t in range(steps):
            logits[t] = net.logits(state[-1][0])
            probs = tmath.softmax(logits[t])
            chosen = np.empty(rows, np.int64)
            for row, temp in enumerate(temps):
                q = tmath.transform(probs[row], temp, top_k, top_p, min_p)
                chosen[row] = np.argmax(tmath.log_probs(q) + gumbel[t, row])
            ids[t] = chosen
            if t + 1 < steps:
                state = net.step(chosen, state)
        return ids, logits
