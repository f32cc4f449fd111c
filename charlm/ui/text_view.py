"""The generated text as HTML coloured by probability. Every character is escaped first:
nothing a user types is ever rendered as markup."""

from __future__ import annotations

import html

import numpy as np

# Colour stops from "surprising" (low probability) to "expected" (high).
_STOPS = np.array([[215, 48, 39], [252, 141, 89], [254, 224, 139], [217, 239, 139], [145, 207, 96]])


def probability_color(p: float) -> str:
    """Background colour for a probability in [0, 1] (log-ish scale: 1% and 50% differ)."""
    x = float(np.clip((np.log10(max(p, 1e-4)) + 4) / 4, 0, 1)) * (len(_STOPS) - 1)
    low = int(np.floor(x))
    high = min(low + 1, len(_STOPS) - 1)
    rgb = _STOPS[low] + (_STOPS[high] - _STOPS[low]) * (x - low)
    red, green, blue = (int(round(v)) for v in rgb)
    return f"#{red:02x}{green:02x}{blue:02x}"


def colored_html(seed_text: str, text: str, probs) -> str:
    """Seed text in grey, then each generated character on its probability's colour."""
    spans = [f'<span style="color:#888">{_escape(seed_text)}</span>'] if seed_text else []
    for char, p in zip(text, probs):
        spans.append(
            f'<span title="{p:.1%}" style="background:{probability_color(p)};'
            f'color:#111">{_escape(char)}</span>'
        )
    body = "".join(spans)
    return (
        '<div class="charlm-text" style="font-family:ui-monospace,Menlo,Consolas,monospace;'
        "white-space:pre-wrap;line-height:1.7;font-size:0.95rem;padding:0.75rem;"
        f'border:1px solid #ddd;border-radius:0.5rem;max-height:26rem;overflow-y:auto">{body}</div>'
    )


def legend_html(low_label: str, high_label: str) -> str:
    cells = "".join(
        f'<span style="background:{probability_color(p)};padding:0 0.6rem;'
        f'color:#111;font-size:0.8rem">{p:.{1 if p < 0.01 else 0}%}</span>'
        for p in (0.001, 0.01, 0.05, 0.2, 0.5, 1.0)
    )
    return (
        f'<div style="font-size:0.85rem">{_escape(low_label)} {cells} {_escape(high_label)}</div>'
    )


def _escape(text: str) -> str:
    return html.escape(text, quote=True)
