"""The generated text as HTML coloured by probability. Every character is escaped first:
nothing a user types is ever rendered as markup."""

from __future__ import annotations

import numpy as np

from charlm.ui import safe

# cividis, from "surprising" (low probability, dark blue) to "expected" (yellow): a sequential
# scale that reads the same with red-green colour blindness.
_STOPS = np.array(
    [[0, 32, 77], [65, 77, 107], [124, 123, 120], [188, 175, 111], [253, 231, 55]], float
)
_DARK_TEXT, _LIGHT_TEXT = "#111111", "#ffffff"


def probability_positions(probs) -> np.ndarray:
    """Where each probability sits on the colour scale, 0..1 (log scale: 1% and 50% differ)."""
    p = np.maximum(np.asarray(probs, float), 1e-4)
    return np.clip((np.log10(p) + 4) / 4, 0, 1)


def probability_colors(probs) -> list[tuple[str, str]]:
    """(background, text colour) per probability, computed for all characters at once."""
    x = probability_positions(probs) * (len(_STOPS) - 1)
    low = np.floor(x).astype(int)
    high = np.minimum(low + 1, len(_STOPS) - 1)
    rgb = np.rint(_STOPS[low] + (_STOPS[high] - _STOPS[low]) * (x - low)[:, None]).astype(int)
    # Relative luminance decides the text colour, so every cell keeps readable contrast.
    luminance = rgb @ np.array([0.2126, 0.7152, 0.0722]) / 255
    return [
        (f"#{r:02x}{g:02x}{b:02x}", _DARK_TEXT if lum > 0.45 else _LIGHT_TEXT)
        for (r, g, b), lum in zip(rgb.tolist(), luminance.tolist())
    ]


def probability_color(p: float) -> str:
    return probability_colors([p])[0][0]


def colored_html(seed_text: str, text: str, probs) -> str:
    """Seed text in grey, then each generated character on its probability's colour, as one
    line of HTML (see safe.html_text)."""
    spans = [f'<span style="color:#5f6368">{safe.html_text(seed_text)}</span>'] if seed_text else []
    probs = np.asarray(probs, float)
    for char, p, (background, color) in zip(text, probs.tolist(), probability_colors(probs)):
        spans.append(
            f'<span title="{p:.1%}" style="background:{background};color:{color}">'
            f"{safe.html_text(char)}</span>"
        )
    body = "".join(spans)
    return (
        '<div class="charlm-text" style="font-family:ui-monospace,Menlo,Consolas,monospace;'
        "white-space:pre-wrap;line-height:1.7;font-size:0.95rem;padding:0.75rem;"
        f'border:1px solid #ddd;border-radius:0.5rem;max-height:26rem;overflow-y:auto">{body}</div>'
    )


def legend_html(low_label: str, high_label: str) -> str:
    levels = (0.001, 0.01, 0.05, 0.2, 0.5, 1.0)
    cells = "".join(
        f'<span style="background:{background};color:{color};padding:0 0.6rem;'
        f'font-size:0.8rem">{p:.{1 if p < 0.01 else 0}%}</span>'
        for p, (background, color) in zip(levels, probability_colors(levels))
    )
    low, high = safe.html_text(low_label), safe.html_text(high_label)
    return f'<div style="font-size:0.85rem">{low} {cells} {high}</div>'
