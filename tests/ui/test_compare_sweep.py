"""The Compare view's sweep along temperature, top-p or min-p, through AppTest: the choice
changes the charts' data and the table, is kept in the link and across views, and reads in
Korean."""

import json
from pathlib import Path

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from charlm.analysis.sweep import KNOB_VALUES
from charlm.ui import params

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def open_compare(query=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"view": "compare", **(query or {})})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sweep_along(at: AppTest, knob: str) -> AppTest:
    at.segmented_control(key="sweep_knob").set_value(knob).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart(at: AppTest, title: str):
    """(spec, {dataset name: rows}) of the chart titled `title` (AppTest gives no keys)."""
    for found in at.get("vega_lite_chart"):
        spec = json.loads(found.proto.spec)
        if spec.get("title", {}).get("text") == title:
            read = lambda raw: pa.ipc.open_stream(raw).read_all().to_pylist()  # noqa: E731
            return spec, {d.name: read(d.data.data) for d in found.proto.datasets}
    raise AssertionError(f"no chart titled {title!r}")


def titles(at: AppTest) -> list[str]:
    return [
        json.loads(c.proto.spec).get("title", {}).get("text") for c in at.get("vega_lite_chart")
    ]


CALIBRATION = "held-out cross-entropy (nats/char)"


def test_sweeping_along_top_p_then_min_p_changes_the_charts_data_and_the_link(app_env):
    at = open_compare()
    assert at.segmented_control(key="sweep_knob").value == "temperature"
    assert CALIBRATION in titles(at)
    at = sweep_along(at, "top_p")
    _, top_p = chart(at, "real words (share)")
    assert [r["setting"] for r in top_p["points"]] == list(KNOB_VALUES["top_p"])
    assert top_p["chosen"] == [{"setting": 1.0}]  # the page's own top-p, dashed
    assert at.query_params["sweep"] == "top_p"
    assert "Sweep along top-p at T = 0.5" in [h.value for h in at.header]
    table = next(d.value for d in at.dataframe if "top-p" in d.value.columns)
    assert len(table) == len(KNOB_VALUES["top_p"])
    _, both = chart(at, "real words at the same surprisal")
    assert {r["knob"] for r in both["points"]} == {"top-p", "min-p"}

    at = sweep_along(at, "min_p")
    _, min_p = chart(at, "surprisal (bits/char)")
    assert [r["setting"] for r in min_p["points"]] == list(KNOB_VALUES["min_p"])
    assert min_p["chosen"] == []  # min-p is off on the page: no dashed line
    assert at.query_params["sweep"] == "min_p"
    assert CALIBRATION not in titles(at) and min_p["points"] != top_p["points"]

    at = sweep_along(at, "temperature")
    assert "sweep" not in at.query_params and CALIBRATION in titles(at)


def test_the_choice_survives_another_view_and_opens_from_a_link(app_env):
    at = sweep_along(open_compare({"t": "1.2", "minp": "0.1"}), "min_p")
    at.session_state["view"] = "explore"
    at.run()
    assert at.query_params["sweep"] == "min_p"  # still in the link while Explore shows
    at.session_state["view"] = "compare"
    at.run()
    assert at.segmented_control(key="sweep_knob").value == "min_p"
    _, data = chart(at, "real words (share)")
    assert data["chosen"] == [{"setting": 0.1}]
    linked = open_compare(dict(at.query_params))
    assert linked.segmented_control(key="sweep_knob").value == "min_p"
    assert "Sweep along min-p at T = 1.2" in [h.value for h in linked.header]


def test_a_korean_page_names_the_sweep_and_its_charts_in_korean(app_env):
    at = open_compare({"lang": "ko", "sweep": "top_p"})
    control = at.segmented_control(key="sweep_knob")
    assert control.label == "바꿔 가며 볼 설정"
    assert [control.format_func(k) for k in params.SWEEP_ALONG] == ["온도", "top-p", "min-p"]
    assert "top-p 훑어보기 (T = 0.5)" in [h.value for h in at.header]
    spec, _ = chart(at, "실제 단어 (비율)")
    assert spec["layer"][0]["encoding"]["x"]["title"] == "top-p (남기는 확률)"
    spec, data = chart(at, "같은 놀람도에서의 실제 단어")
    assert spec["encoding"]["x"]["title"] == "놀람도 (비트/글자)"
    assert {r["knob"] for r in data["points"]} == {"top-p", "min-p"}
    assert any(c.value.startswith("T = 0.5(탐색 보기") for c in at.caption)


def test_a_bad_sweep_in_a_link_is_ignored_with_a_notice():
    settings = params.from_query({"sweep": "top_k"}, [], None)
    assert settings.sweep_knob == "temperature"
    assert settings.notices == [("link_bad_sweep", {"value": "'top_k'"})]
    assert params.to_query(params.from_query({"sweep": "min_p"}, [], None))["sweep"] == "min_p"
    assert "sweep" not in params.to_query(params.PageSettings())
