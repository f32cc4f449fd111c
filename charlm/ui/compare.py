"""The Compare tab: the same random numbers at several temperatures, side by side."""

from __future__ import annotations

import streamlit as st

from charlm.analysis import sweep
from charlm.generation import temperature as tmath
from charlm.generation.sampler import Generation
from charlm.ui import charts, params, safe, tables
from charlm.ui.explore import colored_text
from charlm.ui.strings import text


def temperatures_input(lang: str) -> tuple:
    """The temperatures to compare, plus a greedy (argmax) column when asked for."""
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    left.text_input(
        text(lang, "compare_input", max=params.MAX_COMPARE),
        key="compare_text",
        persist_state="session",
    )
    right.toggle(text(lang, "greedy_column"), key="compare_greedy", persist_state="session")
    values, rejected = params.parse_compare(st.session_state.compare_text, limit=None)
    if len(values) > params.MAX_COMPARE:
        left_out = ", ".join(f"{t:g}" for t in values[params.MAX_COMPARE :])
        st.warning(text(lang, "too_many_temperatures", max=params.MAX_COMPARE, items=left_out))
        values = values[: params.MAX_COMPARE]
    if rejected:
        st.warning(
            text(
                lang,
                "bad_temperatures",
                items=safe.markdown(", ".join(rejected)),
                low=params.T_MIN,
                high=params.T_MAX,
            )
        )
    values = values or params.DEFAULT_COMPARE
    return (*values, tmath.GREEDY) if st.session_state.get("compare_greedy") else values


def side_by_side(lang: str, gen: Generation) -> None:
    st.header(text(lang, "tab_compare"))  # headings go h1 -> h2 -> h3 (axe heading-order)
    st.caption(text(lang, "compare_note"))
    columns = st.columns(len(gen.temperatures))
    for row, (column, temp) in enumerate(zip(columns, gen.temperatures)):
        with column:
            title = text(lang, "greedy_column") if temp == tmath.GREEDY else f"T = {temp:g}"
            st.markdown(f"### {title}")
            entropy = float(tmath.entropy_bits(gen.after(row)).mean())
            st.caption(text(lang, "mean_entropy", value=entropy))
            st.markdown(colored_text(gen, row, with_seed=False, lang=lang), unsafe_allow_html=True)


def temperature_sweep(lang: str, points, chosen_t: float) -> None:
    """The lesson as measured curves: real words, repetition, surprisal, calibration."""
    st.header(text(lang, "sweep_title"))
    st.caption(text(lang, "sweep_help"))
    # One chart per figure, two by two; Streamlit stacks the columns on a phone.
    fields = list(charts.SWEEP_FIGURES)
    for pair in (fields[:2], fields[2:]):
        for column, field in zip(st.columns(2), pair):
            column.vega_lite_chart(
                charts.sweep_panel(charts.sweep_rows(points, field), chosen_t, field, lang),
                width="stretch",
                key=f"sweep_{field}",
                alt=text(lang, "sweep_help"),
            )
    tables.sweep_table(lang, points)
    best = sweep.calibration_minimum(points)
    if best is not None:
        meaning = (
            "calibrated" if abs(best - 1.0) < 0.1 + 1e-9 else ("under" if best < 1 else "over")
        )
        st.markdown(text(lang, f"sweep_calibration_{meaning}", t=best))
