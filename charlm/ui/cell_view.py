"""Text coloured by one LSTM cell's activation, or by each character's influence on a
prediction: HTML builders, pure functions (every character escaped by text_view)."""

from __future__ import annotations

import numpy as np

from charlm.ui import text_view

# PuOr, a diverging scale that colour-blind readers see as two distinct hues: purple for
# negative, white at zero, orange for positive.
DIVERGING = np.array(
    [[84, 39, 136], [153, 142, 195], [247, 247, 247], [241, 163, 64], [179, 88, 6]], float
)
# Purples, light to dark: how much deleting the character moves the prediction.
SEQUENTIAL = np.array(
    [[252, 251, 253], [218, 218, 235], [158, 154, 200], [106, 81, 163], [63, 0, 125]], float
)
INFLUENCE_FLOOR = 1e-3  # 0.1% of the probability: shown as no influence at all


def activation_positions(values) -> np.ndarray:
    """-1..1 activations -> 0..1 positions on the diverging scale (0 in the middle)."""
    return (np.clip(np.asarray(values, float), -1, 1) + 1) / 2


def _coloured(text: str, values, positions, stops, label, max_height: str) -> str:
    """`text` with each character on its value's colour; hovering shows label(value)."""
    values = np.asarray(values, float)
    colors = text_view.scale_colors(positions(values), stops)
    titles = [label(v) for v in values.tolist()]
    return text_view.text_box(text_view.spans_html(text, colors, titles), max_height=max_height)


def activation_html(text: str, values, label) -> str:
    return _coloured(text, values, activation_positions, DIVERGING, label, "22rem")


def activation_legend(low_label: str, high_label: str) -> str:
    levels = (-1.0, -0.5, 0.0, 0.5, 1.0)
    colors = text_view.scale_colors(activation_positions(levels), DIVERGING)
    return text_view.scale_legend(low_label, high_label, colors, [f"{v:+.1f}" for v in levels])


def influence_positions(values) -> np.ndarray:
    """Influence 0..1 -> 0..1 on a log scale from 0.1% (so 1% and 10% look different)."""
    v = np.maximum(np.asarray(values, float), INFLUENCE_FLOOR)
    return np.clip((np.log10(v) + 3) / 3, 0, 1)


def influence_html(text: str, values, label) -> str:
    return _coloured(text, values, influence_positions, SEQUENTIAL, label, "12rem")


def influence_legend(low_label: str, high_label: str) -> str:
    levels = (0.001, 0.01, 0.1, 1.0)
    colors = text_view.scale_colors(influence_positions(levels), SEQUENTIAL)
    labels = [f"{v:.{1 if v < 0.01 else 0}%}" for v in levels]
    return text_view.scale_legend(low_label, high_label, colors, labels)
