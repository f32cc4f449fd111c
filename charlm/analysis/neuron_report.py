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


MAX_BYTES = 2 * 1024 * 1024  # a report of 60,000 characters is about 20 kB


def _load(folder: Path | str) -> tuple[dict | None, str | None]:
    """(report, None), (None, why it cannot be used), or (None, None) when there is none."""
    path = Path(folder) / NEURONS_FILE
    try:
        size = path.stat().st_size
    except OSError:
        return None, None
    if size > MAX_BYTES:
        return None, f"{NEURONS_FILE} is larger than {MAX_BYTES // 1024 // 1024} MB"
    report = atomic.read_json(path, default=None)
    if report is None:
        return None, f"{NEURONS_FILE} is not readable JSON"
    problem = neurons.check_report(report)
    return (None, f"{NEURONS_FILE}: {problem}") if problem else (report, None)


def read_report(folder: Path | str) -> dict | None:
    """The folder's report, or None when it has none or it is unusable (report_problem)."""
    return _load(folder)[0]


def report_problem(folder: Path | str) -> str | None:
    """Why the folder's neurons.json cannot be used (too large, not JSON, wrong types), or
    None when it is fine or absent."""
    return _load(folder)[1]


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
