"""The step inspector's pipeline: min-p from the link, the stages in order, Draw 100 that
reproduces from its link."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from charlm.generation import temperature as tm
from charlm.ui import knob_charts, params

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
LINK = {"t": "1.2", "minp": "0.1", "p": "0.95", "step": "5", "rng": "7", "seed": "the man"}


def open_link(query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at) -> list[tuple[dict, pd.DataFrame | None]]:
    """(spec, data) of every chart; Streamlit moves an Altair chart's data into Arrow."""
    out = []
    for chart in at.get("vega_lite_chart"):
        sets = chart.proto.datasets
        data = pa.ipc.open_stream(sets[0].data.data).read_pandas() if sets else None
        out.append((json.loads(chart.proto.spec), data))
    return out


def draw_data(at) -> dict:
    """{character: draws} of the Draw 100 chart (the layered one with a tick)."""
    for spec, data in charts(at):
        marks = [layer.get("mark", {}) for layer in spec.get("layer", [])]
        if any(isinstance(m, dict) and m.get("type") == "tick" for m in marks):
            return dict(zip(data["character"], data["draws"]))
    raise AssertionError("no Draw 100 chart")


def test_min_p_round_trips_through_the_link():
    settings = params.from_query({"minp": "0.15"}, [], None)
    assert settings.min_p == 0.15 and params.to_query(settings)["minp"] == "0.15"
    assert "minp" not in params.to_query(params.PageSettings())
    clamped = params.from_query({"minp": "3"}, [], None)
    assert clamped.min_p == 1.0 and clamped.notices


def test_the_pipeline_shows_every_stage_and_draw_100_reproduces_from_the_link(app_env):
    at = open_link(LINK)
    assert at.session_state["min_p"] == 0.1
    assert not any(s.value.startswith("The sampling pipeline") for s in at.subheader)  # opt-in
    at.checkbox(key="show_pipeline").set_value(True).run()
    titles = [s.value for s in at.subheader]
    assert "The sampling pipeline at this step" in titles
    data = next(data for spec, data in charts(at) if "facet" in spec)
    stages = set(data["stage"])
    assert stages == {"model (T = 1)", "T = 1.2", "top-p = 0.95", "min-p = 0.1"}
    metrics = {m.label: float(m.value) for m in at.metric if m.label.startswith("Effective")}
    assert metrics["Effective choices, sampled from"] < metrics["Effective choices, model"]
    at.toggle(key="draw_100").set_value(True).run()
    first = draw_data(at)
    assert sum(first.values()) == 100
    link = dict(at.query_params)
    assert (link["pipe"], link["draw"]) == ("1", "1")  # both switches ride in the link
    again = open_link(link)  # the link alone: the pipeline open, the same draws
    assert draw_data(again) == first


def test_pipeline_rows_grey_out_what_a_stage_cuts():
    probs = np.array([0.5, 0.25, 0.15, 0.1])
    stages = tm.pipeline(probs, 0.5, min_p=0.1)
    names = {"model": "m", "temperature": "t", "min_p": "mp"}
    rows = knob_charts.pipeline_rows(stages, "abcd", str, names, {"kept": "k", "cut": "c"})
    last = rows[rows["stage"] == "mp"].set_index("character")
    assert list(last["status"]) == ["k", "k", "c", "c"]
    assert last.loc["c", "p"] == pytest.approx(stages[1][1][2])  # the height before the cut
