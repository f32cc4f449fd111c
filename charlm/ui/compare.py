"""The Compare tab: the same random numbers at several temperatures, side by side."""

from __future__ import annotations

import streamlit as st

from charlm.analysis import sweep
from charlm.generation import temperature as tmath
from charlm.generation.sampler import Generation
from charlm.ui import charts, params
from charlm.ui.explore import colored_text
from charlm.ui.strings import text


def temperatures_input(lang: str) -> tuple:
    """The temperatures to compare, plus a greedy (argmax) column when asked for."""
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    left.text_input(text(lang, "compare_input"), key="compare_text", persist_state="session")
    right.toggle(text(lang, "greedy_column"), key="compare_greedy", persist_state="session")
    values, rejected = params.parse_compare(st.session_state.compare_text)
    if rejected:
        st.warning(
            text(
                lang,
                "bad_temperatures",
                items=", ".join(rejected),
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
            st.markdown(colored_text(gen, row, with_seed=False), unsafe_allow_html=True)


def temperature_sweep(lang: str, points, chosen_t: float) -> None:
    """The lesson as measured curves: real words, repetition, surprisal, calibration."""
    st.header(text(lang, "sweep_title"))
    st.caption(text(lang, "sweep_help"))
    names = {
        "real_words": text(lang, "sweep_real_words"),
        "repetition": text(lang, "sweep_repetition"),
        "surprisal_bits": text(lang, "sweep_surprisal"),
        "calibration_nats": text(lang, "sweep_calibration"),
    }
    rows = charts.sweep_rows(points, names)
    st.vega_lite_chart(
        charts.sweep_chart(
            rows, sweep.LESSON_TEMPERATURES, chosen_t, text(lang, "temperature_axis")
        ),
        key="sweep_chart",
        alt=text(lang, "sweep_help"),
    )
    best = sweep.calibration_minimum(points)
    if best is not None:
        meaning = (
            "calibrated" if abs(best - 1.0) < 0.1 + 1e-9 else ("under" if best < 1 else "over")
        )
        st.markdown(text(lang, f"sweep_calibration_{meaning}", t=best))
