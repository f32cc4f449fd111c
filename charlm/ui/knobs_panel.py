"""The step inspector's sampling pipeline: T -> top-k -> top-p -> min-p -> renormalise, one
row of bars per stage with the characters it cuts greyed out, the effective choices (2^entropy)
before and after, and "Draw 100" from the final distribution with the link's random numbers."""

from __future__ import annotations

import streamlit as st

from charlm.generation import temperature as tmath
from charlm.generation.sampler import Generation
from charlm.ui import knob_charts
from charlm.ui.charts import char_label
from charlm.ui.sidebar import KEEP
from charlm.ui.strings import text

DRAWS = 100


def pipeline_panel(lang: str, gen: Generation, row: int, position: int, rng_seed: int) -> None:
    """The pipeline at step `position` (0-based) of text `row`, when asked for: opt-in, as
    its two Altair charts cost the server ~90 ms a move (spec validation), which a class
    moving sliders should not pay."""
    shown = st.checkbox(text(lang, "pipeline_toggle"), key="show_pipeline", persist_state=KEEP)
    if not shown:
        return
    before, _ = gen.step(row, position)
    temperature = gen.temperatures[row]
    stages = tmath.pipeline(before, temperature, gen.top_k, gen.top_p, gen.min_p)
    final = stages[-1][1]
    st.subheader(text(lang, "pipeline_title"))
    st.caption(text(lang, "pipeline_help"))
    names = {
        "model": text(lang, "stage_model"),
        "temperature": text(lang, "greedy")
        if temperature == tmath.GREEDY
        else f"T = {temperature:g}",
        "top_k": f"top-k = {gen.top_k}",
        "top_p": f"top-p = {gen.top_p:g}" if gen.top_p else "",
        "min_p": f"min-p = {gen.min_p:g}" if gen.min_p else "",
    }
    status = {"kept": text(lang, "stage_kept"), "cut": text(lang, "stage_cut")}
    labels = {"character": text(lang, "character"), "probability": text(lang, "probability")}
    rows = knob_charts.pipeline_rows(stages, gen.vocab.chars, char_label, names, status)
    st.altair_chart(
        knob_charts.pipeline_chart(rows, labels, status), alt=text(lang, "pipeline_title")
    )
    left, right = st.columns(2)
    left.metric(text(lang, "choices_before"), f"{float(tmath.effective_choices(before)):.1f}")
    right.metric(text(lang, "choices_after"), f"{float(tmath.effective_choices(final)):.1f}")
    st.caption(text(lang, "choices_help"))
    if st.toggle(text(lang, "draw_100", n=DRAWS), key="draw_100", persist_state=KEEP):
        counts = tmath.draw(final, DRAWS, rng_seed, position + 1)
        draw_labels = {
            "character": text(lang, "character"),
            "draws": text(lang, "draws"),
            "expected": text(lang, "expected"),
        }
        st.altair_chart(
            knob_charts.draw_chart(
                knob_charts.draw_rows(final, counts, gen.vocab.chars, char_label), draw_labels
            ),
            alt=text(lang, "draw_help", n=DRAWS, seed=rng_seed, step=position + 1),
        )
        st.caption(text(lang, "draw_help", n=DRAWS, seed=rng_seed, step=position + 1))
