"""Altair charts: next-character distribution before/after reweighting, entropy vs
temperature, training curves. Data shaping is kept in pure functions (tested without a browser)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from charlm import temperature as tmath

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

# altair and pandas are imported inside the functions, so the page's first text reaches the
# browser before their ~0.4 s of imports: with the Train tab drawn last, first text in a cold
# start went from 3.5-3.8 s to 2.4-3.3 s (benchmarks/app_startup.py).

BEFORE_COLOR, AFTER_COLOR = "#4C78A8", "#F58518"


def char_label(char: str) -> str:
    """Readable axis label for a character."""
    return {" ": "␣ space", "\n": "↵ newline", "\t": "⇥ tab"}.get(char, char)


def distribution_frame(
    chars, before, after, chosen: int, top: int = 20, other="other", labels=("before", "after")
) -> pd.DataFrame:
    """Long table of the `top` characters (by max of both probabilities) plus 'other'."""
    import pandas as pd

    before, after = np.asarray(before, float), np.asarray(after, float)
    order = np.argsort(-np.maximum(before, after), kind="stable")[:top]
    rows = []
    for rank, index in enumerate(order):
        for label, probs in zip(labels, (before, after)):
            rows.append(
                {
                    "char": char_label(chars[index]),
                    "rank": rank,
                    "which": label,
                    "probability": float(probs[index]),
                    "sampled": bool(index == chosen),
                }
            )
    rest = np.setdiff1d(np.arange(len(chars)), order)
    if len(rest):
        for label, probs in zip(labels, (before, after)):
            rows.append(
                {
                    "char": other,
                    "rank": len(order),
                    "which": label,
                    "probability": float(probs[rest].sum()),
                    "sampled": bool(chosen in rest),
                }
            )
    return pd.DataFrame(rows)


def distribution_chart(frame: pd.DataFrame, x_title: str, y_title: str, labels) -> alt.Chart:
    import altair as alt

    sort = frame.drop_duplicates("char").sort_values("rank")["char"].tolist()
    base = alt.Chart(frame).encode(
        x=alt.X("char:N", sort=sort, title=x_title, axis=alt.Axis(labelAngle=0, labelFontSize=13)),
        xOffset=alt.XOffset("which:N", sort=list(labels)),
        y=alt.Y("probability:Q", title=y_title, axis=alt.Axis(format="%")),
        tooltip=["char", "which", alt.Tooltip("probability:Q", format=".2%")],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "which:N",
            sort=list(labels),
            title=None,
            scale=alt.Scale(range=[BEFORE_COLOR, AFTER_COLOR]),
            legend=alt.Legend(orient="top"),
        ),
        stroke=alt.condition("datum.sampled", alt.value("#111"), alt.value(None)),
        strokeWidth=alt.condition("datum.sampled", alt.value(2), alt.value(0)),
    )
    marker = base.transform_filter("datum.sampled").mark_text(dy=-8, text="▼", fontSize=12)
    return (bars + marker).properties(height=280)


def entropy_curve_frame(probs, temperatures=None) -> pd.DataFrame:
    import pandas as pd

    temps = np.geomspace(0.05, 2.0, 80) if temperatures is None else np.asarray(temperatures)
    entropies = [float(tmath.entropy_bits(tmath.reweight(probs, t))) for t in temps]
    return pd.DataFrame({"temperature": temps, "entropy": entropies})


def entropy_curve_chart(
    frame: pd.DataFrame, chosen_t: float, chosen_entropy: float, x_title: str, y_title: str
) -> alt.Chart:
    import altair as alt
    import pandas as pd

    line = (
        alt.Chart(frame)
        .mark_line(color=AFTER_COLOR)
        .encode(x=alt.X("temperature:Q", title=x_title), y=alt.Y("entropy:Q", title=y_title))
    )
    point = pd.DataFrame({"temperature": [chosen_t], "entropy": [chosen_entropy]})
    dot = (
        alt.Chart(point)
        .mark_point(size=120, filled=True, color="#111")
        .encode(
            x="temperature:Q",
            y="entropy:Q",
            tooltip=[
                alt.Tooltip("temperature:Q", format=".2f"),
                alt.Tooltip("entropy:Q", format=".2f"),
            ],
        )
    )
    rule = alt.Chart(point).mark_rule(strokeDash=[4, 4], color="#888").encode(x="temperature:Q")
    return (line + rule + dot).properties(height=220)


def history_frame(history: list[dict]) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for row in history:
        for key in ("loss", "val_loss"):
            if row.get(key) is not None:
                rows.append({"epoch": row["epoch"], "series": key, "nats/char": row[key]})
    return pd.DataFrame(rows, columns=["epoch", "series", "nats/char"])


def history_chart(frame: pd.DataFrame) -> alt.Chart:
    import altair as alt

    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("nats/char:Q", scale=alt.Scale(zero=False)),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=["epoch", "series", alt.Tooltip("nats/char:Q", format=".4f")],
        )
        .properties(height=240)
    )
