"""The page's Vega-Lite charts, written in Altair, each in the page's language.

Building a chart with Altair costs 4.6-10.8 ms, a dict 0.07 ms (benchmarks/chart_cost.py), and a
class moves sliders all lesson long. So each kind of chart is built and validated against
Altair's schema once per language and kept as a dict template whose data are named datasets;
a move only puts its rows (and the chart's own T) into a shallow copy (`fill`), as Arrow
tables (`for_streamlit`). The Compare view's sweep charts use the same templates from their own
module (sweep_charts.py).
"""

from __future__ import annotations

import copy
import threading
from functools import cache

import numpy as np
import pyarrow as pa

from charlm.generation import temperature as tmath
from charlm.ui import chart_templates, vega_text
from charlm.ui.lazy_altair import alt
from charlm.ui.strings import text

BEFORE_COLOR, AFTER_COLOR = "#3B6FB6", "#B8860B"  # blue / dark gold: safe for colour blindness
TOP = 20  # bars drawn before the rest is summed into "other"
T_RANGE = (0.05, 2.0)
MEMORY_FLOOR = 1e-4  # the memory chart's lowest tick: nothing is drawn below the axis
LEFT_TITLE = {"titleAngle": 0, "titleAlign": "left", "titleY": -8}  # y title above the axis
_lock = threading.Lock()


def fill(template: dict, datasets: dict[str, list[dict]], **params) -> dict:
    """A copy of `template` holding these rows and these parameter values. The template's
    nested dicts are shared, never changed: ~µs instead of an Altair build."""
    spec = dict(template)
    spec["datasets"] = {**template.get("datasets", {}), **datasets}
    if "encoding" in template:  # st.vega_lite_chart patches a null legend title here in place
        spec["encoding"] = copy.deepcopy(template["encoding"])
    if params:
        spec["params"] = [
            {**p, "value": params[p["name"]]} if p["name"] in params else p
            for p in template["params"]
        ]
    return spec


def for_streamlit(spec: dict) -> dict:
    """`spec` with its datasets as Arrow IPC bytes, which st.vega_lite_chart passes on as they
    are: 0.24 ms a dataset here against ~4 ms for Streamlit's own conversion through pandas
    (benchmarks/chart_cost.py)."""
    return {**spec, "datasets": {name: _arrow(rows) for name, rows in spec["datasets"].items()}}


def _arrow(rows: list[dict]) -> bytes:
    table = pa.Table.from_pylist(rows)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def template(kind: str, lang: str) -> dict:
    """The validated spec of one kind of chart (a key of BUILDERS) in one language."""
    return prebuilt(kind, BUILDERS[kind], lang)


def prebuilt(kind: str, builder, lang: str) -> dict:
    """The shipped template of `kind` (chart_templates.json), else `builder`'s, built now."""
    spec = chart_templates.shipped().get(chart_templates.key(kind, lang))
    return spec if spec is not None else built(builder, lang)


@cache
def built(builder, lang: str) -> dict:
    """The validated spec of `builder(lang)` (an Altair chart), built once per process and
    language: the template of every chart module (sweep_charts keeps its own builders)."""
    chart = builder(lang)
    # Streamlit renders with its own theme; Altair's default one would add a 300 px view size.
    with _lock, alt.theme.enable("none"):
        return chart.to_dict(validate=True)


def char_label(char: str, lang: str = "en") -> str:
    """Readable axis label for a character (space, newline, tab named in the page's language)."""
    key = {" ": "char_space", "\n": "char_newline", "\t": "char_tab"}.get(char)
    return text(lang, key) if key else char


def _y_inside(title: str, right: bool = False, **axis) -> alt.Axis:
    """A y axis drawn inside the plot: in a stacked chart Streamlit gives each panel the whole
    column width, so labels outside the plot would push the chart past the column's edge.
    `right` puts it where the bars are low."""
    side = {"orient": "right", "labelAlign": "right", "titleAlign": "right", "titleY": -16}
    side = side if right else {}
    return alt.Axis(
        title=title, **{**LEFT_TITLE, "titleX": 0, "labelAlign": "left", **side},
        labelBaseline="bottom", labelPadding=-4, ticks=False, domain=False, **axis,
    )  # fmt: skip


# ---- the step inspector ------------------------------------------------------------------------


def distribution_rows(chars, before, after, chosen: int, lang: str = "en") -> list[dict]:
    """Long table of the TOP characters (by max of both probabilities) plus "other", with the
    series named in `lang`."""
    labels = (text(lang, "before"), text(lang, "after"))
    before, after = np.asarray(before, float), np.asarray(after, float)
    order = np.argsort(-np.maximum(before, after), kind="stable")[:TOP]
    rows = [
        {"char": char_label(chars[index], lang), "rank": rank, "which": label,
         "probability": float(probs[index]), "sampled": index == chosen}
        for rank, index in enumerate(order.tolist())
        for label, probs in zip(labels, (before, after))
    ]  # fmt: skip
    rest = np.setdiff1d(np.arange(len(chars)), order)
    if len(rest):
        rows += [
            {"char": text(lang, "other"), "rank": len(order), "which": label,
             "probability": float(probs[rest].sum()), "sampled": bool(chosen in rest)}
            for label, probs in zip(labels, (before, after))
        ]  # fmt: skip
    return rows


def _bars(lang: str, field: str, y_axis: alt.Axis | None = None, legend="top") -> alt.LayerChart:
    """Before/after bars of `field`, ordered by the model's rank, the sampled one outlined and
    marked ▼ (both layers sort by the same field, so Vega-Lite keeps the order)."""
    labels = [text(lang, "before"), text(lang, "after")]
    x_title, y_title = text(lang, "character"), text(lang, "probability")
    sampled = "datum.sampled > 0"
    bars = alt.Chart().mark_bar().encode(
        color=alt.Color("which:N", sort=labels, title=None, legend=alt.Legend(orient=legend),
                        scale=alt.Scale(domain=labels, range=[BEFORE_COLOR, AFTER_COLOR])),
        stroke=alt.condition(sampled, alt.value("#111"), alt.value(None)),
        strokeWidth=alt.condition(sampled, alt.value(2), alt.value(0)),
        tooltip=[alt.Tooltip(f"{field}:N", title=x_title), alt.Tooltip("which:N", title=" "),
                 alt.Tooltip("probability:Q", format=".2%", title=y_title)],
    )  # fmt: skip
    marker = alt.Chart().mark_text(dy=-8, text="▼", fontSize=12).transform_filter(sampled)
    return alt.layer(bars, marker).encode(
        x=alt.X(f"{field}:N", sort=alt.EncodingSortField("rank", op="min"), title=x_title,
                axis=alt.Axis(labelAngle=0, labelFontSize=13)),
        xOffset=alt.XOffset("which:N", sort=labels),
        y=alt.Y("probability:Q", title=y_title,
                axis=y_axis or alt.Axis(format="%", **LEFT_TITLE)),
    )  # fmt: skip


def _distribution(lang: str) -> alt.LayerChart:
    """What was really sampled from (top-k, top-p, greedy), drawn by the server."""
    return _bars(lang, "char").properties(data=alt.Data(name="bars"), height=280)


def distribution_chart(rows: list[dict], lang: str) -> dict:
    return for_streamlit(fill(template("distribution", lang), {"bars": rows}))


def model_rows(chars, probs, chosen: int, lang: str = "en") -> list[dict]:
    """Every character with the model's probability and its rank (for browser-side charts)."""
    probs = np.asarray(probs, float)
    order = np.argsort(-probs, kind="stable")
    rank = np.empty(len(order), int)
    rank[order] = np.arange(len(order))
    return [
        {"char": char_label(c, lang), "p": float(p), "rank": int(r), "sampled": int(i == chosen)}
        for i, (c, p, r) in enumerate(zip(chars, probs.tolist(), rank.tolist()))
    ]


def _reweighted(chart: alt.Chart) -> alt.Chart:
    """q = p^(1/T) / sum p^(1/T), in the browser (p over its maximum first: no underflow)."""
    return (
        chart.transform_joinaggregate(pmax="max(p)")
        .transform_calculate(w="pow(datum.p / datum.pmax, 1 / T)")
        .transform_joinaggregate(total="sum(w)")
        .transform_calculate(q="datum.w / datum.total")
    )


def _entropy_now(chart: alt.Chart) -> alt.Chart:
    """One row: entropy before and after (bits) and the sampled character's p and q."""
    return (
        _reweighted(chart)
        .transform_calculate(
            hp="datum.p > 0 ? -datum.p * log(datum.p) / LN2 : 0",
            hq="datum.q > 0 ? -datum.q * log(datum.q) / LN2 : 0",
            sp="datum.sampled > 0 ? datum.p : 0",
            sq="datum.sampled > 0 ? datum.q : 0",
        )
        .transform_aggregate(hp="sum(hp)", hq="sum(hq)", sp="sum(sp)", sq="sum(sq)")
    )


def _inspector(lang: str, T: float = 1.0) -> alt.VConcatChart:
    """The bars, the figures under them and the entropy curve in one spec, all following one
    browser-side T bound to a slider: dragging it sends nothing to the server."""
    model = alt.Data(name="model")
    other = vega_text.literal(text(lang, "other"))
    before, after = (vega_text.literal(text(lang, key)) for key in ("before", "after"))
    bars = (
        _reweighted(_bars(lang, "bar", _y_inside(text(lang, "probability"), right=True, format="%"),
                          legend="bottom"))  # a top legend in a stacked chart is drawn hidden
        .transform_calculate(bar=f"datum.rank < {TOP} ? datum.char : {other}")
        .transform_aggregate(p="sum(p)", q="sum(q)", sampled="max(sampled)", rank="min(rank)",
                             groupby=["bar"])
        .transform_fold(["p", "q"], as_=["series", "probability"])
        .transform_calculate(which=f"datum.series == 'p' ? {before} : {after}")
        .properties(data=model, height=260)
    )  # fmt: skip
    bits = lambda field: vega_text.expr(text(lang, "bits"), value=f"datum.{field}")  # noqa: E731
    entropy = " + ".join([
        vega_text.literal(text(lang, "entropy_before") + ": "), bits("hp"),
        vega_text.literal("   ·   " + text(lang, "entropy_after") + ": "), bits("hq"),
    ])  # fmt: skip
    chosen = vega_text.expr(text(lang, "chosen"), char="datum.char", before="datum.p",
                            after="datum.q")  # fmt: skip
    line = {"align": "left", "baseline": "top", "fontSize": 14, "x": 0}
    figures = alt.layer(
        _entropy_now(alt.Chart(model)).transform_calculate(line=entropy)
        .mark_text(**line, y=4).encode(text="line:N"),
        _reweighted(alt.Chart(model)).transform_filter("datum.sampled > 0")
        .transform_calculate(line=chosen).mark_text(**line, y=26).encode(text="line:N"),
    ).properties(height=44, view=alt.ViewBackground(stroke=None))  # fmt: skip
    x = alt.X("temperature:Q", title=text(lang, "temperature_axis"), axis=alt.Axis(labelFlush=True))
    y = alt.Y("entropy:Q", axis=_y_inside(text(lang, "entropy_axis")))
    now = _entropy_now(alt.Chart(model)).transform_calculate(temperature="T", entropy="datum.hq")
    curve = alt.layer(
        alt.Chart(alt.Data(name="curve")).mark_line(color=AFTER_COLOR).encode(x=x, y=y),
        now.mark_rule(strokeDash=[4, 4], color="#666").encode(x=x),
        now.mark_point(size=120, filled=True, color="#111").encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("temperature:Q", format=".2f"),
                alt.Tooltip("entropy:Q", format=".2f"),
            ],
        ),
    ).properties(height=200, title=alt.Title(text(lang, "entropy_curve"), anchor="start"))
    slider = alt.binding_range(min=T_RANGE[0], max=T_RANGE[1], step=0.01, name=text(lang, "try_t"))
    return (
        alt.vconcat(bars, figures, curve, spacing=12)
        .add_params(alt.param(name="T", value=T, bind=slider))
        # Vega's "pad" leaves out what is drawn above a plot (the y titles): room for them.
        .properties(padding={"left": 0, "right": 0, "top": 40})
    )


def inspector_chart(rows: list[dict], curve: list[dict], temperature: float, lang: str) -> dict:
    """`rows` from model_rows, `curve` from entropy_curve_rows; the slider starts at the page's
    T."""
    return for_streamlit(
        fill(template("inspector", lang), {"model": rows, "curve": curve}, T=temperature)
    )


def entropy_curve_rows(probs, temperatures=None) -> list[dict]:
    """Entropy (bits) of the reweighted distribution over a grid of temperatures."""
    temps = np.geomspace(*T_RANGE, 60) if temperatures is None else np.asarray(temperatures)
    # One softmax over the whole grid: q_T = softmax(log p / T) for every T at once.
    q = tmath.softmax(tmath.log_probs(np.asarray(probs, float))[None, :] / temps[:, None])
    entropy = tmath.entropy_bits(q)
    return [{"temperature": float(t), "entropy": float(h)} for t, h in zip(temps, entropy)]


def _entropy_curve(lang: str) -> alt.LayerChart:
    x = alt.X("temperature:Q", title=text(lang, "temperature_axis"))
    y = alt.Y("entropy:Q", title=text(lang, "entropy_axis"), axis=alt.Axis(**LEFT_TITLE))
    point = alt.Chart(alt.Data(name="point"))
    return alt.layer(
        alt.Chart(alt.Data(name="curve")).mark_line(color=AFTER_COLOR).encode(x=x, y=y),
        point.mark_rule(strokeDash=[4, 4], color="#666").encode(x=x),
        point.mark_point(size=120, filled=True, color="#111").encode(
            x=x, y=y, tooltip=[alt.Tooltip("temperature:Q", format=".2f"),
                               alt.Tooltip("entropy:Q", format=".2f")]),
    ).properties(height=220)  # fmt: skip


def entropy_curve_chart(rows: list[dict], chosen_t: float, entropy: float, lang: str) -> dict:
    """The curve with the server's T marked (top-k, top-p, greedy: no browser-side T)."""
    point = [{"temperature": chosen_t, "entropy": entropy}]
    return for_streamlit(fill(template("entropy_curve", lang), {"curve": rows, "point": point}))


# ---- training --------------------------------------------------------------------------------


def history_rows(history: list[dict], lang: str = "en") -> list[dict]:
    """One row per (epoch, series) with a loss; the series named in `lang`."""
    names = {"loss": text(lang, "series_loss"), "val_loss": text(lang, "series_val_loss")}
    return [
        {"epoch": int(row["epoch"]), "series": name, "loss": row[key]}
        for row in history
        for key, name in names.items()
        if row.get(key) is not None
    ]


def _history(lang: str) -> alt.Chart:
    names = [text(lang, "series_loss"), text(lang, "series_val_loss")]
    return (
        alt.Chart(alt.Data(name="history"))
        .mark_line(point=True)
        .encode(
            # Whole epochs only: integer ticks, at least one epoch apart.
            x=alt.X("epoch:Q", title=text(lang, "epoch"),
                    axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("loss:Q", scale=alt.Scale(zero=False), title=text(lang, "loss_axis"),
                    axis=alt.Axis(**LEFT_TITLE)),
            color=alt.Color("series:N", title=None, sort=names, legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("epoch:Q", format="d", title=text(lang, "epoch")),
                     alt.Tooltip("series:N", title=" "),
                     alt.Tooltip("loss:Q", format=".4f", title=text(lang, "loss_axis"))],
        )
        .properties(height=240)
    )  # fmt: skip


def history_chart(rows: list[dict], lang: str) -> dict:
    """Training and validation loss per epoch; `rows` from history_rows."""
    return for_streamlit(fill(template("history", lang), {"history": rows}))


def _curve(lang: str) -> alt.Chart:
    """Validation loss (on the quick slice) against seconds of training."""
    x = alt.X("seconds:Q", title=text(lang, "training_seconds"))
    y = alt.Y("loss:Q", title=text(lang, "slice_loss"), scale=alt.Scale(zero=False),
              axis=alt.Axis(**LEFT_TITLE))  # fmt: skip
    return (
        alt.Chart(alt.Data(name="curve"))
        .mark_line(point=True, color=BEFORE_COLOR)
        .encode(x=x, y=y, tooltip=[alt.Tooltip("seconds:Q", format=".0f"),
                                   alt.Tooltip("loss:Q", format=".3f")])
        .properties(height=200)
    )  # fmt: skip


def curve_chart(rows: list[dict], lang: str) -> dict:
    """`rows`: [{"seconds", "loss"}]."""
    return for_streamlit(fill(template("curve", lang), {"curve": rows}))


# ---- neurons -------------------------------------------------------------------------------


def memory_rows(curves: dict[str, list[float]]) -> list[dict]:
    """Mean influence by distance, one row per (model, distance); floored at the axis's lowest
    tick so no curve runs below the axis."""
    return [
        {"model": name, "distance": d + 1, "influence": max(float(v), MEMORY_FLOOR)}
        for name, curve in curves.items()
        for d, v in enumerate(curve)
    ]


def _memory(lang: str) -> alt.LayerChart:
    """Mean influence of the character d places back, one line per model, log scale, with the
    dashed threshold that defines the memory span."""
    y = alt.Y("influence:Q", title=text(lang, "memory_y"), axis=alt.Axis(**LEFT_TITLE),
              scale=alt.Scale(type="log", domain=[MEMORY_FLOOR, 1], clamp=True))  # fmt: skip
    colour = alt.Color("model:N", title=text(lang, "memory_model"),
                       scale=alt.Scale(range=[BEFORE_COLOR, AFTER_COLOR, "#444444"]))  # fmt: skip
    return alt.layer(
        alt.Chart(alt.Data(name="curves"))
        .mark_line(aria=False, clip=True)
        .encode(x=alt.X("distance:Q", title=text(lang, "memory_x")), y=y, color=colour,
                strokeDash=alt.StrokeDash("model:N", title=text(lang, "memory_model")),
                tooltip=[alt.Tooltip("model:N", title=text(lang, "memory_model")),
                         alt.Tooltip("distance:Q", title=text(lang, "memory_x")),
                         alt.Tooltip("influence:Q", format=".4f", title=text(lang, "memory_y"))]),
        alt.Chart(alt.Data(name="threshold"))
        .mark_rule(color="#666", strokeDash=[4, 4], aria=False)
        .encode(y=y),
    ).properties(height=240, config=alt.Config(aria=False))  # fmt: skip


def memory_chart(rows: list[dict], threshold: float, lang: str) -> dict:
    """`rows` from memory_rows; `threshold` (0-1) is drawn as the dashed line."""
    return for_streamlit(
        fill(template("memory", lang), {"curves": rows, "threshold": [{"influence": threshold}]})
    )


BUILDERS = {
    "distribution": _distribution,
    "inspector": _inspector,
    "entropy_curve": _entropy_curve,
    "history": _history,
    "curve": _curve,
    "memory": _memory,
}
