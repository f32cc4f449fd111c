"""What each LSTM cell does: activations over a text, and which cells track which text features.

A "cell" is one unit of one layer, read as tanh(c) (its memory, squashed to -1..1, as Karpathy
et al. plot it) or as h = o * tanh(c) (what the layer passes on). Activations come from the NumPy
network, layer by layer over the whole text: the recurrence is one small matrix-vector product
per character, and every input projection above the first layer is one big matmul.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from charlm.generation.network import Network, lstm_cell
from charlm.text.text_features import FEATURES, feature_matrix

KINDS = ("cell", "hidden")  # tanh(c), h
# Characters per chunk when surveying a long text: each chunk's float64 activations and their
# squares are all that is held (1,024 keeps the trainer's export under 20 MB for this).
CHUNK = 1024
TOP_CELLS = 5
EXAMPLE_CHARS = 240
SCHEMA = 1


@dataclass(frozen=True)
class Activations:
    """Per layer, (N, H) arrays of tanh(c) and h after reading each character."""

    cell: tuple[np.ndarray, ...]
    hidden: tuple[np.ndarray, ...]

    def of(self, layer: int, kind: str) -> np.ndarray:
        return (self.cell if kind == "cell" else self.hidden)[layer]


def _layer_over(inputs: np.ndarray, recurrent: np.ndarray, h, c):
    """Run one prepared LSTM layer over pre-projected inputs (N, 4H) from state (h, c);
    returns (h per step, c per step), both (N, H)."""
    steps, units = inputs.shape[0], recurrent.shape[0]
    hs = np.empty((steps, units), np.float32)
    cs = np.empty((steps, units), np.float32)
    z = np.empty((1, 4 * units), np.float32)
    for t in range(steps):
        np.matmul(h, recurrent, out=z)
        z += inputs[t]
        h, c = lstm_cell(z, c)
        hs[t], cs[t] = h[0], c[0]
    return hs, cs


def run_layers(network: Network, ids: np.ndarray, state=None):
    """(per-layer (h_steps, c_steps), final state) after reading `ids` from `state` (zero)."""
    ids = np.asarray(ids, dtype=np.int64)
    state = state or network.zero_state(1)
    below = None
    outputs, final = [], []
    for index, (layer, (h, c)) in enumerate(zip(network.lstms, state)):
        if index == 0:
            inputs = network.input_table[ids]
        else:
            inputs = below @ layer.kernel
            inputs += layer.bias
        hs, cs = _layer_over(inputs, layer.recurrent, h, c)
        outputs.append((hs, cs))
        final.append((hs[-1:].copy(), cs[-1:].copy()) if len(ids) else (h, c))
        below = hs
    return outputs, final


def activations(network: Network, ids: np.ndarray) -> Activations:
    """tanh(c) and h of every cell after each character of `ids`, from the zero state."""
    outputs, _ = run_layers(network, ids)
    return Activations(
        cell=tuple(np.tanh(cs) for _, cs in outputs), hidden=tuple(hs for hs, _ in outputs)
    )


def cell_columns(network: Network) -> list[tuple[int, str, int]]:
    """(layer, kind, unit) for every column of the stacked activation matrix."""
    return [
        (layer, kind, unit)
        for layer, units in enumerate(network.units)
        for kind in KINDS
        for unit in range(units)
    ]


def _stacked(acts: Activations) -> np.ndarray:
    return np.concatenate(
        [acts.of(layer, kind) for layer in range(len(acts.cell)) for kind in KINDS], axis=1
    )


def correlations(
    network: Network, ids: np.ndarray, features: np.ndarray, chunk: int = CHUNK
) -> np.ndarray:
    """Pearson correlation (cells, features) of every cell's activation with every feature
    column over the text, in chunks so a long text never holds all activations at once."""
    n_features = features.shape[1]
    sums = None
    state = None
    for start in range(0, len(ids), chunk):
        outputs, state = run_layers(network, ids[start : start + chunk], state)
        block = np.concatenate(
            [part for hs, cs in outputs for part in (np.tanh(cs), hs)], axis=1
        ).astype(np.float64)
        f = features[start : start + chunk]
        if sums is None:
            sums = [np.zeros(block.shape[1]), np.zeros(block.shape[1])]
            sums.append(np.zeros((block.shape[1], n_features)))
        sums[0] += block.sum(0)
        sums[1] += (block * block).sum(0)
        sums[2] += block.T @ f
    n = len(ids)
    f_sum, f_sq = features.sum(0), (features * features).sum(0)
    cov = n * sums[2] - np.outer(sums[0], f_sum)
    var_a = n * sums[1] - sums[0] ** 2
    var_f = n * f_sq - f_sum**2
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.sqrt(np.outer(np.maximum(var_a, 0), np.maximum(var_f, 0)))
    # A constant cell or feature has no correlation at all, not NaN.
    corr[~np.isfinite(corr)] = 0.0
    return corr


def best_window(activation: np.ndarray, feature: np.ndarray, sign: float, width: int) -> int:
    """Start of the `width`-character window where the cell follows the feature most closely
    (highest local correlation, in the direction of the overall one)."""
    n = len(activation)
    if n <= width:
        return 0
    step = max(width // 6, 1)
    starts = np.arange(0, n - width + 1, step)
    windows = np.lib.stride_tricks.sliding_window_view(np.arange(n), width)[starts]
    a, f = activation[windows].astype(np.float64), feature[windows]
    a = a - a.mean(1, keepdims=True)
    f = f - f.mean(1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        local = (a * f).sum(1) / np.sqrt((a * a).sum(1) * (f * f).sum(1))
    local = np.where(np.isfinite(local), local * sign, -np.inf)
    return int(starts[int(np.argmax(local))])


def discover(network: Network, vocab, text: str, top: int = TOP_CELLS, source: str = "") -> dict:
    """For each text feature, the cells whose activation correlates with it most strongly
    (either sign), each with its correlation and an example passage; a JSON-ready dict."""
    text, _ = vocab.clean(text)
    ids = vocab.encode(text)
    names, features = feature_matrix(text)
    corr = correlations(network, ids, features)
    columns = cell_columns(network)
    chosen: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        if not np.any(corr[:, j]):
            continue  # the feature never varies in this text (no quotes in it, say)
        chosen[name] = np.argsort(-np.abs(corr[:, j]), kind="stable")[:top].tolist()
    needed = sorted({i for picks in chosen.values() for i in picks})
    kept = _columns_over(network, ids, needed)
    found = {}
    for j, name in enumerate(names):
        entries = []
        for i in chosen.get(name, []):
            layer, kind, unit = columns[i]
            r = float(corr[i, j])
            start = best_window(kept[i], features[:, j], np.sign(r) or 1.0, EXAMPLE_CHARS)
            entries.append(
                {
                    "layer": layer,
                    "kind": kind,
                    "unit": unit,
                    "correlation": round(r, 4),
                    "example": text[start : start + EXAMPLE_CHARS],
                }
            )
        if entries:
            found[name] = entries
    return {"schema": SCHEMA, "source": source, "characters": len(ids), "features": found}


def _columns_over(network: Network, ids: np.ndarray, wanted: list[int], chunk: int = CHUNK):
    """column index -> that cell's activation over the whole text (only the wanted ones)."""
    parts: dict[int, list[np.ndarray]] = {i: [] for i in wanted}
    state = None
    for start in range(0, len(ids), chunk):
        outputs, state = run_layers(network, ids[start : start + chunk], state)
        block = np.concatenate([part for hs, cs in outputs for part in (np.tanh(cs), hs)], axis=1)
        for i in wanted:
            parts[i].append(block[:, i])
    return {i: np.concatenate(chunks) for i, chunks in parts.items()}


MAX_ENTRIES = 100  # found cells per feature, and memory curve points up to MAX_CURVE
MAX_CURVE = 10_000
MAX_EXAMPLE_CHARS = 5_000


def _is_int(value, low: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _entry_problem(entry) -> str | None:
    if not isinstance(entry, dict):
        return "is not an object"
    if not (_is_int(entry.get("layer")) and _is_int(entry.get("unit"))):
        return "needs whole-number layer and unit >= 0"
    if entry.get("kind") not in KINDS:
        return f"kind must be one of {KINDS}"
    if not (_is_number(entry.get("correlation")) and -1 <= entry["correlation"] <= 1):
        return "correlation must be a number in [-1, 1]"
    example = entry.get("example", "")
    if not isinstance(example, str) or len(example) > MAX_EXAMPLE_CHARS:
        return f"example must be text of at most {MAX_EXAMPLE_CHARS:,} characters"
    return None


def _memory_problem(memory) -> str | None:
    if not isinstance(memory, dict):
        return "memory is not an object"
    curve = memory.get("curve")
    if not isinstance(curve, list) or not 0 < len(curve) <= MAX_CURVE:
        return f"memory.curve must be a list of 1 to {MAX_CURVE:,} numbers"
    if not all(_is_number(v) for v in curve):
        return "memory.curve must hold only numbers"
    if not (_is_number(memory.get("threshold")) and _is_int(memory.get("span"))):
        return "memory needs a number threshold and a whole-number span"
    return None


def check_report(report) -> str | None:
    """What is wrong with a neurons.json payload read from disk, or None. Every field the
    page reads is checked for its type and range: the file is untrusted input."""
    if not isinstance(report, dict) or report.get("schema") != SCHEMA:
        return "not a neurons report of this version"
    if not isinstance(report.get("source", ""), str) or not _is_int(report.get("characters", 0)):
        return "source must be text and characters a whole number"
    features = report.get("features")
    if not isinstance(features, dict):
        return "features missing"
    for name, entries in features.items():
        if name not in FEATURES or not isinstance(entries, list):
            return f"unknown feature {name!r}"
        if len(entries) > MAX_ENTRIES:
            return f"more than {MAX_ENTRIES} cells under {name!r}"
        for entry in entries:
            if problem := _entry_problem(entry):
                return f"an entry under {name!r} {problem}"
    if "memory" in report:
        return _memory_problem(report["memory"])
    return None
