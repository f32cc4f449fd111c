"""The Compare tab: the same random numbers at several temperatures, side by side, and the
sweep the class chooses: along temperature (the lesson's curves), top-p or min-p."""

from __future__ import annotations

import streamlit as st

from charlm.analysis import sweep
from charlm.generation import temperature as tmath
from charlm.generation.sampler import Generation
from charlm.ui import params, safe, sweep_charts, tables
from charlm.ui.explore import colored_text
from charlm.ui.sidebar import KEEP
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
            entropy = gen.mean_entropy_bits(row)
            st.caption(text(lang, "mean_entropy", value=entropy))
            st.markdown(colored_text(gen, row, with_seed=False, lang=lang), unsafe_allow_html=True)


def sweep_along(lang: str, temperature: float) -> str:
    """The sweep's heading and the choice of what it runs along ("temperature", "top_p" or
    "min_p"; a knob's sweep at `temperature`), kept across views and in the link."""
    if st.session_state.get("sweep_knob") not in params.SWEEP_ALONG:  # None: clicked off
        st.session_state.sweep_knob = "temperature"
    knob = st.session_state.sweep_knob
    if knob == "temperature":
        st.header(text(lang, "sweep_title"))
    else:
        name = text(lang, f"sweep_along_{knob}")
        st.header(text(lang, "knob_sweep_title", knob=name, t=temperature))
    return st.segmented_control(
        text(lang, "sweep_along"),
        params.SWEEP_ALONG,
        format_func=lambda k: text(lang, f"sweep_along_{k}"),
        key="sweep_knob",
        persist_state=KEEP,
    )


def temperature_sweep(lang: str, points, chosen_t: float) -> None:
    """The lesson as measured curves: real words, repetition, surprisal, calibration."""
    st.caption(text(lang, "sweep_help"))
    panels = [
        (f"sweep_{field}", sweep_charts.sweep_panel(sweep_charts.sweep_rows(points, field),
                                                    chosen_t, field, lang))
        for field in sweep_charts.SWEEP_FIGURES
    ]  # fmt: skip
    two_by_two(panels, text(lang, "sweep_help"))
    tables.sweep_table(lang, tables.sweep_frame(points, lang), "temperature-sweep.csv")
    best = sweep.calibration_minimum(points)
    if best is not None:
        meaning = (
            "calibrated" if abs(best - 1.0) < 0.1 + 1e-9 else ("under" if best < 1 else "over")
        )
        st.markdown(text(lang, f"sweep_calibration_{meaning}", t=best))


def knob_sweep(lang: str, knob: str, sweeps: dict, temperature: float, chosen) -> None:
    """The sweep along `knob`: its figures against the knob's value (`chosen`, the page's own
    value, dashed; None: off), real words against surprisal for both knobs (`sweeps`: knob ->
    list of KnobPoint), and the numbers of `knob` as a table and CSV."""
    name = text(lang, f"sweep_along_{knob}")
    help_text = text(lang, "knob_sweep_help", knob=name, t=temperature)
    st.caption(help_text)
    points = sweeps[knob]
    panels = [
        (f"knob_{field}", sweep_charts.knob_panel(sweep_charts.knob_rows(points, field), chosen,
                                                  knob, field, lang))
        for field in sweep_charts.KNOB_FIGURES
    ]  # fmt: skip
    tradeoff = sweep_charts.tradeoff_chart(sweep_charts.tradeoff_rows(sweeps, lang), lang)
    two_by_two([*panels, ("knob_tradeoff", tradeoff)], help_text)
    file_name = f"{knob.replace('_', '-')}-sweep-t{temperature:g}.csv"
    tables.sweep_table(lang, tables.knob_sweep_frame(points, knob, lang), file_name)


def two_by_two(panels: list[tuple[str, dict]], alt_text: str) -> None:
    """(key, spec) charts two by two; Streamlit stacks the columns on a phone."""
    for start in range(0, len(panels), 2):
        for column, (key, spec) in zip(st.columns(2), panels[start : start + 2]):
            column.vega_lite_chart(spec, width="stretch", key=key, alt=alt_text)
