"""Charts of the sampling pipeline, in Altair: one row of bars per stage (T, top-k, top-p,
min-p) with the characters a stage cuts greyed out, and "Draw 100" over the theoretical bars.
Rows in, chart out; no Streamlit here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from charlm.ui.lazy_altair import alt

KEPT_COLOR, CUT_COLOR = "#1A56A6", "#BDBDBD"
DRAW_COLOR, EXPECTED_COLOR = "#1A56A6", "#B35806"


def pipeline_rows(stages, chars, label, stage_names: dict, status: dict, top: int = 15):
    """Long rows (stage, order, character, p, status) of the `top` characters the model likes
    most. A character cut by a stage keeps, greyed ('cut'), the height it had before it."""
    model = stages[0][1]
    picked = np.argsort(-model, kind="stable")[:top]
    rows, previous = [], model
    for order, (name, probs) in enumerate(stages):
        for rank, i in enumerate(picked):
            cut = probs[i] == 0 and previous[i] > 0
            rows.append(
                {
                    "stage": stage_names[name],
                    "stage_order": order,
                    "rank": rank,
                    "character": label(chars[i]),
                    "p": float(previous[i] if cut else probs[i]),
                    "status": status["cut" if cut else "kept"],
                }
            )
        previous = np.where(probs > 0, probs, previous)  # a cut character stays grey
    return pd.DataFrame(rows)


def pipeline_chart(rows: pd.DataFrame, labels: dict, status: dict) -> alt.FacetChart:
    """labels: character, probability."""
    order = list(dict.fromkeys(rows.sort_values("stage_order")["stage"]))
    chars = list(dict.fromkeys(rows.sort_values("rank")["character"]))
    return (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            x=alt.X("character:N", sort=chars, title=labels["character"]),
            y=alt.Y("p:Q", title=labels["probability"], axis=alt.Axis(format="%", tickCount=3)),
            color=alt.Color(
                "status:N",
                title=None,
                scale=alt.Scale(
                    domain=[status["kept"], status["cut"]], range=[KEPT_COLOR, CUT_COLOR]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("stage:N"),
                alt.Tooltip("character:N", title=labels["character"]),
                alt.Tooltip("p:Q", title=labels["probability"], format=".1%"),
                alt.Tooltip("status:N", title=" "),
            ],
        )
        .properties(height=80)
        .facet(row=alt.Row("stage:N", sort=order, title=None))
        .resolve_scale(y="independent")
    )


def draw_rows(final, counts, chars, label, top: int = 15) -> pd.DataFrame:
    """The characters drawn or likely (at most `top`): draws and the expected count."""
    total = int(counts.sum())
    score = np.maximum(final, counts / max(total, 1))
    picked = [i for i in np.argsort(-score, kind="stable")[:top] if score[i] > 0]
    return pd.DataFrame(
        {
            "character": [label(chars[i]) for i in picked],
            "draws": [int(counts[i]) for i in picked],
            "expected": [float(final[i] * total) for i in picked],
        }
    )


def draw_chart(rows: pd.DataFrame, labels: dict) -> alt.LayerChart:
    """Bars: how often each character came up; ticks: how often it should, on average.
    labels: character, draws, expected."""
    chars = list(rows["character"])
    base = alt.Chart(rows).encode(
        x=alt.X("character:N", sort=chars, title=labels["character"]),
        tooltip=[
            alt.Tooltip("character:N", title=labels["character"]),
            alt.Tooltip("draws:Q", title=labels["draws"]),
            alt.Tooltip("expected:Q", title=labels["expected"], format=".1f"),
        ],
    )
    bars = base.mark_bar(color=DRAW_COLOR).encode(y=alt.Y("draws:Q", title=labels["draws"]))
    ticks = base.mark_tick(color=EXPECTED_COLOR, thickness=3, size=28).encode(y="expected:Q")
    return alt.layer(bars, ticks).properties(height=220)
