"""neurons.json in a model folder: the cells found for each text feature and the model's
memory span, made once per model (CLI, or at the end of training) and read by the page."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from charlm.analysis import influence, neurons
from charlm.common import atomic
from charlm.generation.network import Network
from charlm.text.vocab import Vocabulary

NEURONS_FILE = "neurons.json"
DISCOVERY_CHARS = 60_000  # the whole Nietzsche validation split (about 60,000 characters)


def build_report(
    network: Network,
    vocab: Vocabulary,
    text: str,
    source: str,
    max_chars: int = DISCOVERY_CHARS,
    span_positions: int = influence.SPAN_POSITIONS,
) -> dict:
    """Discovery over the first `max_chars` of `text`, plus the influence-by-distance curve."""
    text = text[:max_chars]
    report = neurons.discover(network, vocab, text, source=source)
    ids = np.asarray(vocab.encode(text, on_unknown="drop"))
    window = min(influence.SPAN_WINDOW, len(ids) - 1)
    if window >= 10:
        curve = influence.influence_by_distance(network, ids, window, span_positions)
        report["memory"] = {
            "method": "occlusion (delete one character; total variation of the prediction)",
            "threshold": influence.SPAN_THRESHOLD,
            "positions": span_positions,
            "curve": [round(float(v), 5) for v in curve],
            "span": influence.memory_span(curve),
        }
    return report


def write_report(folder: Path | str, report: dict) -> Path:
    path = Path(folder) / NEURONS_FILE
    atomic.write_json(path, report)
    return path


def read_report(folder: Path | str) -> dict | None:
    """The folder's report, or None when it has none or it does not parse as one."""
    report = atomic.read_json(Path(folder) / NEURONS_FILE, default=None)
    return report if report is not None and neurons.check_report(report) is None else None


def summary_lines(report: dict) -> list[str]:
    """The best cell per feature, and the memory span, one line each (CLI and benchmark)."""
    lines = []
    for feature, cells in report["features"].items():
        best = cells[0]
        lines.append(
            f"  {feature:<15} layer {best['layer'] + 1} {best['kind']:<6} cell {best['unit']:<4}"
            f" r = {best['correlation']:+.3f}"
        )
    if "memory" in report:
        lines.append(f"  memory span: {report['memory']['span']} characters")
    return lines
