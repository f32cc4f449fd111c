"""The Neurons view: colour a text by one cell, list the cells that track simple features,
and compare how far back each model looks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from charlm.analysis import neuron_report
from charlm.generation.sampler import Generation
from charlm.text.corpus import normalize
from charlm.ui import cell_view, charts, safe
from charlm.ui.loaders import cell_activations, cell_report
from charlm.ui.strings import text

SOURCES = ("generated", "passage", "own")
KINDS = ("cell", "hidden")
OWN_TEXT_MAX = 3000
PASSAGE_CHARS = 800
SHOWN_PER_FEATURE = 3
# Below this |r| a cell explains under 4% of a feature's variance: listing it as "tracking"
# the feature would teach a class something the model does not do.
MIN_CORRELATION = 0.2
# A report names the text it read; these sources have words in the strings table.
SOURCE_KEYS = {
    "validation split": "report_source_validation",
    "heldout.txt": "report_source_heldout",
}
WIDGETS = {"neuron_source", "neuron_text", "neuron_layer", "neuron_kind", "neuron_unit"}


def open_cell(layer: int, kind: str, unit: int) -> None:
    """A click on a found cell: show it in the neuron view."""
    st.session_state.neuron_layer = layer + 1
    st.session_state.neuron_kind = kind
    st.session_state.neuron_unit = unit


def neurons_view(lang: str, path: Path, epoch, units: tuple[int, ...], gen: Generation, heldout):
    """Draws the view; returns the keys of the widgets it drew."""
    st.header(text(lang, "neurons_title"))
    st.caption(text(lang, "neurons_intro"))
    shown = chosen_text(lang, gen, heldout)
    report = cell_report(path, epoch)
    problem = neuron_report.report_problem(path) if epoch is None else None
    if problem:  # found again on held-out text where it can be: only this file is lost
        st.warning(text(lang, "neurons_file_unusable", problem=safe.markdown(problem)))
    if "neuron_unit" not in st.session_state and report is not None:
        open_cell(*strongest_cell(report))  # start on a cell with a clear job
    layer, kind, unit = cell_chooser(lang, units)
    if shown:
        acts = cell_activations(path, epoch, shown)
        values = np.asarray(acts.of(layer, kind)[:, unit], float)
        show_cell(lang, shown, values, layer, kind, unit)
    else:
        st.info(text(lang, "neuron_no_text"))
    if report is None:
        st.info(text(lang, "tracks_none"))
    else:
        cell_example(lang, path, epoch, report, layer, kind, unit)
        cells_that_track(lang, report, units)
    if st.session_state.neuron_source != "own":
        return WIDGETS - {"neuron_text"}
    return WIDGETS


def strongest_cell(report: dict) -> tuple[int, str, int]:
    """(layer, kind, unit) of the found cell with the largest |correlation|."""
    entries = [entry for cells in report["features"].values() for entry in tracking(cells)]
    if not entries:
        return 0, "cell", 0
    best = max(entries, key=lambda entry: abs(entry["correlation"]))
    return best["layer"], best["kind"], best["unit"]


def chosen_text(lang: str, gen: Generation, heldout: str | None) -> str:
    """The text to colour: the generated text (seed included), a held-out passage, or the
    visitor's own (characters outside the model's alphabet are left out)."""
    if st.session_state.get("neuron_source") not in SOURCES:
        st.session_state.neuron_source = "generated"
    source = st.radio(
        text(lang, "neuron_source"),
        SOURCES,
        format_func=lambda s: text(lang, f"source_{s}"),
        key="neuron_source",
        persist_state="session",
        horizontal=True,
    )
    if source == "generated":
        raw = gen.seed_text + gen.texts[0]
    elif source == "passage":
        raw = (heldout or "")[:PASSAGE_CHARS]
        if not raw:
            st.caption(text(lang, "no_heldout"))
    else:
        raw = st.text_area(
            text(lang, "own_text"),
            key="neuron_text",
            height=120,
            persist_state="session",
            max_chars=OWN_TEXT_MAX,
        )
    kept, dropped = gen.vocab.clean(normalize(raw or ""))
    if dropped:
        chars = ", ".join(safe.markdown(repr(c)) for c in dropped[:20])
        st.caption(text(lang, "dropped", chars=chars))
    return kept


def cell_chooser(lang: str, units: tuple[int, ...]) -> tuple[int, str, int]:
    """(layer index, kind, unit) from three widgets, clamped to this model's shape."""
    layers = len(units)
    if st.session_state.get("neuron_layer") not in range(1, layers + 1):
        st.session_state.neuron_layer = layers
    if st.session_state.get("neuron_kind") not in KINDS:
        st.session_state.neuron_kind = "cell"
    left, middle, right = st.columns([2, 3, 2])
    layer = left.selectbox(
        text(lang, "neuron_layer"),
        list(range(1, layers + 1)),
        key="neuron_layer",
        persist_state="session",
    )
    kind = middle.radio(
        text(lang, "neuron_kind"),
        KINDS,
        format_func=lambda k: text(lang, f"kind_{k}"),
        key="neuron_kind",
        persist_state="session",
        horizontal=True,
    )
    top = units[layer - 1] - 1
    if not isinstance(st.session_state.get("neuron_unit"), int) or not (
        0 <= st.session_state.neuron_unit <= top
    ):
        st.session_state.neuron_unit = min(
            max(int(st.session_state.get("neuron_unit") or 0), 0), top
        )
    unit = right.number_input(
        text(lang, "neuron_unit", top=top),
        0,
        top,
        step=1,
        key="neuron_unit",
        persist_state="session",
    )
    return layer - 1, kind, int(unit)


def value_label(lang: str):
    return lambda v: text(lang, "activation_hover", value=v)


def show_cell(lang, shown: str, values, layer: int, kind: str, unit: int) -> None:
    st.markdown(
        text(lang, "neuron_showing", layer=layer + 1, kind=text(lang, f"kind_{kind}"), unit=unit)
    )
    st.markdown(cell_view.activation_html(shown, values, value_label(lang)), unsafe_allow_html=True)
    st.markdown(
        cell_view.activation_legend(text(lang, "activation_low"), text(lang, "activation_high")),
        unsafe_allow_html=True,
    )


def cell_example(lang, path, epoch, report: dict, layer: int, kind: str, unit: int) -> None:
    """Where the chosen cell shows its feature best, when discovery found it."""
    for feature, cells in report["features"].items():
        for entry in tracking(cells):
            if (entry["layer"], entry["kind"], entry["unit"]) == (layer, kind, unit):
                example = entry.get("example") or ""
                if not example:
                    continue
                acts = cell_activations(path, epoch, example)
                values = np.asarray(acts.of(layer, kind)[:, unit], float)
                st.markdown(
                    text(
                        lang,
                        "cell_example",
                        feature=text(lang, f"feature_{feature}"),
                        r=entry["correlation"],
                    )
                )
                st.markdown(
                    cell_view.activation_html(example, values, value_label(lang)),
                    unsafe_allow_html=True,
                )
                return


def tracking(cells: list[dict]) -> list[dict]:
    """The cells whose |correlation| with a feature reaches MIN_CORRELATION."""
    return [entry for entry in cells if abs(entry["correlation"]) >= MIN_CORRELATION]


def report_source(lang: str, source) -> str:
    key = SOURCE_KEYS.get(source)
    return text(lang, key) if key else safe.markdown(source or "")


def cells_that_track(lang: str, report: dict, units: tuple[int, ...]) -> None:
    st.subheader(text(lang, "tracks_title"))
    st.caption(
        text(
            lang,
            "tracks_help",
            chars=report.get("characters", 0),
            source=report_source(lang, report.get("source")),
            r=MIN_CORRELATION,
        )
    )
    for feature, cells in report["features"].items():
        label, *columns = st.columns([3, 2, 2, 2], vertical_alignment="center")
        label.markdown(f"**{text(lang, f'feature_{feature}')}**")
        found = tracking(cells)
        if not found:
            columns[0].caption(text(lang, "tracks_no_cell", r=MIN_CORRELATION))
        for column, entry in zip(columns, found[:SHOWN_PER_FEATURE]):
            layer, kind, unit = entry["layer"], entry["kind"], entry["unit"]
            if layer >= len(units) or unit >= units[layer]:
                continue  # a report from another model shape: never offer a missing cell
            column.button(
                text(
                    lang,
                    "open_cell",
                    layer=layer + 1,
                    kind=text(lang, f"kind_short_{kind}"),
                    unit=unit,
                    r=entry["correlation"],
                ),
                key=f"open_{feature}_{layer}_{kind}_{unit}",
                on_click=open_cell,
                args=(layer, kind, unit),
                width="stretch",
            )


def memory_spans(lang: str, reports: dict[str, dict]) -> None:
    """Mean influence by distance for each model that has a report, with its span."""
    curves = {name: r["memory"] for name, r in reports.items() if r and "memory" in r}
    if not curves:
        return
    st.subheader(text(lang, "memory_title"))
    threshold = next(iter(curves.values()))["threshold"]
    st.caption(text(lang, "memory_help", threshold=threshold))
    rows = charts.memory_rows({name: memory["curve"] for name, memory in curves.items()})
    st.vega_lite_chart(
        charts.memory_chart(rows, threshold, lang), width="stretch", key="memory_chart"
    )
    st.markdown(
        "  \n".join(
            text(lang, "memory_span_line", model=safe.markdown(name), span=memory["span"])
            for name, memory in curves.items()
        )
    )
