"""Chart templates: valid Vega-Lite, filled per move exactly as a full Altair build would be,
and in the page's language."""

import json

import altair as alt
import numpy as np
import pyarrow as pa
import pytest
from altair.vegalite.v6.schema.core import Root
from streamlit.elements import vega_charts

from charlm.analysis.sweep import KnobPoint, SweepPoint
from charlm.ui import charts, sweep_charts, tables, vega_text
from charlm.ui.strings import LANGUAGES

CHARS = list("abc de\n.")
PROBS = np.array([0.4, 0.2, 0.1, 0.1, 0.1, 0.05, 0.03, 0.02])
POINTS = [SweepPoint(t, 0.9 - t / 4, t / 10, 2 + t, 1.5 + (t - 1) ** 2) for t in (0.1, 0.5, 1.0)]
KNOB_POINTS = {
    knob: [KnobPoint(knob, v, 0.7 + v / 4, 0.0, 1 + v) for v in (0.1, 0.5, 0.9)]
    for knob in ("top_p", "min_p")
}
BUILDERS = {**charts.BUILDERS, **sweep_charts.BUILDERS}  # every kind of chart the page draws


def template(kind: str, lang: str) -> dict:
    return charts.built(BUILDERS[kind], lang)


def sample_data(kind: str, lang: str) -> tuple[dict, dict]:
    """(datasets, params) as the page gives them on a move."""
    if kind == "distribution":
        return {"bars": charts.distribution_rows(CHARS, PROBS, PROBS[::-1], 4, lang)}, {}
    if kind == "inspector":
        rows = charts.model_rows(CHARS, PROBS, 4, lang)
        return {"model": rows, "curve": charts.entropy_curve_rows(PROBS)}, {"T": 0.7}
    if kind == "entropy_curve":
        point = [{"temperature": 0.5, "entropy": 1.2}]
        return {"curve": charts.entropy_curve_rows(PROBS), "point": point}, {}
    if kind == "history":
        history = [{"epoch": 1, "loss": 2.0, "val_loss": 2.1}, {"epoch": 2, "loss": 1.5}]
        return {"history": charts.history_rows(history, lang)}, {}
    if kind == "curve":
        return {"curve": [{"seconds": 5.0, "loss": 2.0}, {"seconds": 10.0, "loss": 1.8}]}, {}
    if kind == "memory":
        rows = charts.memory_rows({"a": [0.5, 0.01, 1e-7], "b": [0.3, 0.02]})
        return {"curves": rows, "threshold": [{"influence": 0.01}]}, {}
    if kind == "knob_tradeoff":
        return {"points": sweep_charts.tradeoff_rows(KNOB_POINTS, lang)}, {}
    if kind.startswith("knob_"):
        knob, field = kind.removeprefix("knob_")[:5], kind.removeprefix("knob_")[6:]
        rows = sweep_charts.knob_rows(KNOB_POINTS[knob], field)
        return {"points": rows, "chosen": [{"setting": 0.5}]}, {}
    field = kind.removeprefix("sweep_")
    return {"points": sweep_charts.sweep_rows(POINTS, field), "chosen": [{"temperature": 0.5}]}, {}


KINDS = [(kind, lang) for kind in BUILDERS for lang in LANGUAGES]


@pytest.mark.parametrize("kind,lang", KINDS)
def test_every_template_and_every_filled_spec_is_valid_vega_lite(kind, lang):
    spec = template(kind, lang)
    Root.validate(spec)  # raises on any spec Altair's schema rejects
    datasets, params = sample_data(kind, lang)
    Root.validate(json.loads(json.dumps(charts.fill(spec, datasets, **params))))


@pytest.mark.parametrize("kind,lang", KINDS)
def test_filling_a_template_gives_the_spec_a_full_altair_build_gives(kind, lang):
    datasets, params = sample_data(kind, lang)
    chart = BUILDERS[kind](lang, **params)  # the chart's own T, set to this move's
    with alt.theme.enable("none"):
        full = chart.properties(datasets=datasets).to_dict(validate=True)
    assert charts.fill(template(kind, lang), datasets, **params) == full


def test_filling_leaves_the_template_as_it_was():
    template = charts.template("inspector", "en")
    before = json.dumps(template, sort_keys=True)
    datasets, params = sample_data("inspector", "en")
    spec = charts.fill(template, datasets, **params)
    spec["params"][0]["value"] = 99
    assert json.dumps(template, sort_keys=True) == before
    history = charts.template("history", "en")
    before = json.dumps(history, sort_keys=True)
    vega_charts._prepare_vega_lite_spec(charts.fill(history, {"history": []}), True)
    assert json.dumps(history, sort_keys=True) == before  # Streamlit's own patching too


def test_korean_charts_name_axes_series_and_whitespace_in_korean():
    rows = sample_data("history", "ko")[0]["history"]
    history = json.dumps(charts.fill(charts.template("history", "ko"), {"history": rows}),
                         ensure_ascii=False)  # fmt: skip
    assert "학습" in history and "검증" in history and "손실" in history
    assert "val_loss" not in history and "nats/char" not in history
    rows = charts.model_rows(list(" \nx"), [0.5, 0.3, 0.2], 0, "ko")
    assert [r["char"] for r in rows] == ["␣ 공백", "↵ 줄바꿈", "x"]
    inspector = json.dumps(charts.template("inspector", "ko"), ensure_ascii=False)
    assert "다음 글자" in inspector and "next character" not in inspector


def test_sweep_panels_come_in_one_order_and_korean_calibration_has_units():
    titles = {
        lang: [template(f"sweep_{f}", lang)["title"]["text"] for f in sweep_charts.SWEEP_FIGURES]
        for lang in LANGUAGES
    }
    assert list(sweep_charts.SWEEP_FIGURES) == [
        "real_words", "repetition", "surprisal_bits", "calibration_nats"
    ]  # fmt: skip
    assert "nats" in titles["ko"][3] and "비트" in titles["ko"][2]
    for lang in LANGUAGES:  # one chart each: the page stacks them, no facet to overflow
        assert all("facet" not in template(kind, lang) for kind in sweep_charts.BUILDERS)


def test_memory_chart_draws_its_threshold_and_nothing_below_the_axis():
    spec = charts.memory_chart(sample_data("memory", "en")[0]["curves"], 0.01, "en")
    rule = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    data = {k: pa.ipc.open_stream(v).read_all().to_pylist() for k, v in spec["datasets"].items()}
    assert data[rule["data"]["name"]] == [{"influence": 0.01}]  # has data to draw
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    low = line["encoding"]["y"]["scale"]["domain"][0]
    assert min(r["influence"] for r in data["curves"]) >= low
    assert line["encoding"]["y"]["scale"]["clamp"] and line["mark"]["clip"]


def test_vega_text_formats_a_strings_template_in_the_browser():
    expr = vega_text.expr("Chosen: {char} (model {before:.1%})", char="datum.c", before="datum.p")
    assert expr == '"Chosen: " + (datum.c) + " (model " + format(datum.p, ".1%") + ")"'
    assert vega_text.literal('say "hi" 한') == '"say \\"hi\\" 한"'


def test_tables_name_their_columns_in_the_page_language():
    history = [{"epoch": 1, "loss": 2.0, "val_loss": 2.1, "val_bits_per_char": 3.0, "seconds": 9}]
    assert list(tables.history_frame(history, "ko").columns)[:3] == [
        "에포크", "학습 손실 (nats/글자)", "검증 손실 (nats/글자)"
    ]  # fmt: skip
    frame = tables.sweep_frame(POINTS, "ko")
    assert list(frame.columns)[0] == "온도" and len(frame) == 3
    csv = frame.to_csv(index=False).encode("utf-8")
    assert csv.decode("utf-8").startswith("온도,실제 단어")


def test_the_shipped_templates_are_a_fresh_altair_build():
    """Rewrite with `python -m charlm.ui.chart_build` after changing a builder."""
    from charlm.ui import chart_build, chart_templates

    shipped = json.loads(chart_templates.PATH.read_text(encoding="utf-8"))
    fresh = json.loads(json.dumps(chart_build.build_all()))
    assert sorted(shipped) == sorted(fresh)
    for name in fresh:
        assert shipped[name] == fresh[name], f"{name} differs: rewrite chart_templates.json"


def test_drawing_the_template_charts_never_imports_altair():
    """Altair costs the server ~30 MB; the opt-in panels import it when first shown."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from charlm.ui import charts, sweep_charts, knob_charts, class_charts, knobs_panel\n"
        "from charlm.ui import class_view, compare, explore, neurons_view, train_panel\n"
        "for kind in charts.BUILDERS:\n"
        "    charts.template(kind, 'ko')\n"
        "for kind in sweep_charts.BUILDERS:\n"
        "    sweep_charts.template(kind, 'en')\n"
        "print('altair' in sys.modules, 'jsonschema' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
