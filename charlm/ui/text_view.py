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


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB colours given as 0-255 rows."""
    c = np.asarray(rgb, float) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def probability_positions(probs) -> np.ndarray:
    """Where each probability sits on the colour scale, 0..1 (log scale: 1% and 50% differ)."""
    p = np.maximum(np.asarray(probs, float), 1e-4)
    return np.clip((np.log10(p) + 4) / 4, 0, 1)


def scale_colors(positions, stops=_STOPS) -> list[tuple[str, str]]:
    """(background, text colour) for positions 0..1 along a colour scale given by its stops,
    computed for all characters at once. The text is black or white, whichever contrasts more
    with the background (WCAG)."""
    stops = np.asarray(stops, float)
    x = np.clip(np.asarray(positions, float), 0, 1) * (len(stops) - 1)
    low = np.floor(x).astype(int)
    high = np.minimum(low + 1, len(stops) - 1)
    rgb = np.rint(stops[low] + (stops[high] - stops[low]) * (x - low)[:, None]).astype(int)
    lum = relative_luminance(rgb)
    on_black, on_white = (lum + 0.05) / 0.05, 1.05 / (lum + 0.05)
    return [
        (f"#{r:02x}{g:02x}{b:02x}", "#000000" if black >= white else "#ffffff")
        for (r, g, b), black, white in zip(rgb.tolist(), on_black.tolist(), on_white.tolist())
    ]


def probability_colors(probs) -> list[tuple[str, str]]:
    """(background, text colour) per probability on the cividis scale: never under 4.58:1."""
    return scale_colors(probability_positions(probs))


def spans_html(text: str, colors, titles) -> str:
    """Each character on its own background with a hover title, escaped."""
    return "".join(
        f'<span title="{safe.html_text(title)}" style="background:{background};color:{color}">'
        f"{safe.html_text(char)}</span>"
        for char, (background, color), title in zip(text, colors, titles)
    )


def text_box(body: str, attributes: str = "", max_height: str = "26rem") -> str:
    """The monospace box every coloured text sits in."""
    return (
        # tabindex: the box scrolls, so a keyboard must be able to reach it (axe-core rule).
        f'<div class="charlm-text"{attributes} tabindex="0" '
        'style="font-family:ui-monospace,Menlo,Consolas,monospace;'
        "white-space:pre-wrap;line-height:1.7;font-size:0.95rem;padding:0.75rem;"
        f"border:1px solid #ddd;border-radius:0.5rem;max-height:{max_height};overflow-y:auto"
        f'">{body}</div>'
    )


def probability_color(p: float) -> str:
    return probability_colors([p])[0][0]


_PERCENTS = [f"{n}%" for n in range(101)]


def likeliest(distributions, chars, labels, k: int = 5) -> list[str]:
    """Per step, the model's k likeliest next characters with their probabilities, as hover
    text ("e 41% · a 12% · …"), computed for all steps at once. Labels and whole percentages
    come from tables: formatting each of 400 x 5 entries took 2.3 ms of a 400-character move."""
    distributions = np.asarray(distributions, float)
    k = min(k, distributions.shape[1])
    top = np.argsort(-distributions, axis=1, kind="stable")[:, :k]
    percents = np.rint(np.take_along_axis(distributions, top, axis=1) * 100).astype(int)
    names = [labels(char) + " " for char in chars]
    return [
        " · ".join([names[i] + _PERCENTS[p] for i, p in zip(ids, ps)])
        for ids, ps in zip(top.tolist(), percents.tolist())
    ]


def colored_html(
    seed_text: str, text: str, probs, hover: list[str] | None = None, clickable: bool = False
) -> str:
    """Seed text in grey, then each generated character on its probability's colour, as one
    line of HTML (see safe.html_text). Hovering shows the probability, then `hover`'s text."""
    seed = f'<span style="color:#545961">{safe.html_text(seed_text)}</span>' if seed_text else ""
    probs = np.asarray(probs, float)
    extra = hover or [""] * len(text)
    titles = [f"{p:.1%}" + (f" | {more}" if more else "") for p, more in zip(probs.tolist(), extra)]
    body = seed + spans_html(text, probability_colors(probs), titles)
    return text_box(body, " data-inspect" if clickable else "")


def legend_html(low_label: str, high_label: str) -> str:
    levels = (0.001, 0.01, 0.05, 0.2, 0.5, 1.0)
    labels = [f"{p:.{1 if p < 0.01 else 0}%}" for p in levels]
    return scale_legend(low_label, high_label, probability_colors(levels), labels)


def scale_legend(low_label: str, high_label: str, colors, labels) -> str:
    """A row of coloured cells with their values, between two words."""
    cells = "".join(
        f'<span style="background:{background};color:{color};padding:0 0.6rem;'
        f'font-size:0.8rem">{safe.html_text(label)}</span>'
        for (background, color), label in zip(colors, labels)
    )
    low, high = safe.html_text(low_label), safe.html_text(high_label)
    return f'<div style="font-size:0.85rem">{low} {cells} {high}</div>'
