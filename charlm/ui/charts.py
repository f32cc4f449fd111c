"""Vega-Lite chart specs: next-character distribution before/after reweighting, entropy vs
temperature, training curves. Plain dicts with the data inline: no Altair, no pandas and no
Arrow tables on the page's hot path (a temperature move under load, benchmarks/classroom_load.py).
"""

from __future__ import annotations

import numpy as np

from charlm.generation import temperature as tmath

BEFORE_COLOR, AFTER_COLOR = "#3B6FB6", "#B8860B"  # blue / dark gold: safe for colour blindness
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


def char_label(char: str) -> str:
    """Readable axis label for a character."""
    return {" ": "␣ space", "\n": "↵ newline", "\t": "⇥ tab"}.get(char, char)


def distribution_rows(
    chars, before, after, chosen: int, top: int = 20, other="other", labels=("before", "after")
) -> list[dict]:
    """Long table of the `top` characters (by max of both probabilities) plus 'other'."""
    before, after = np.asarray(before, float), np.asarray(after, float)
    order = np.argsort(-np.maximum(before, after), kind="stable")[:top]
    rows = []
    for rank, index in enumerate(order.tolist()):
        for label, probs in zip(labels, (before, after)):
            rows.append(
                {
                    "char": char_label(chars[index]),
                    "rank": rank,
                    "which": label,
                    "probability": float(probs[index]),
                    "sampled": index == chosen,
                }
            )
    rest = np.setdiff1d(np.arange(len(chars)), order)
    if len(rest):
        for label, probs in zip(labels, (before, after)):
            rows.append(
                {
                    "char": other,
                    "rank": len(order),
                    "which": label,
                    "probability": float(probs[rest].sum()),
                    "sampled": bool(chosen in rest),
                }
            )
    return rows


def distribution_chart(rows: list[dict], x_title: str, y_title: str, labels) -> dict:
    sort = [r["char"] for r in rows if r["which"] == labels[0]]
    x = {"field": "char", "type": "nominal", "sort": sort, "title": x_title,
         "axis": {"labelAngle": 0, "labelFontSize": 13}}  # fmt: skip
    y = {"field": "probability", "type": "quantitative", "title": y_title,
         "axis": {"format": "%", "titleAngle": 0, "titleAlign": "left", "titleY": -8}}  # fmt: skip
    return {
        "$schema": SCHEMA,
        "height": 280,
        "encoding": {"x": x, "xOffset": {"field": "which", "sort": list(labels)}, "y": y},
        "layer": [
            {
                "data": {"values": rows},
                "mark": {"type": "bar"},
                "encoding": {
                    "color": {
                        "field": "which",
                        "sort": list(labels),
                        "title": None,
                        "scale": {"domain": list(labels), "range": [BEFORE_COLOR, AFTER_COLOR]},
                        "legend": {"orient": "top"},
                    },
                    "stroke": {"condition": {"test": "datum.sampled", "value": "#111"},
                               "value": None},
                    "strokeWidth": {"condition": {"test": "datum.sampled", "value": 2},
                                    "value": 0},
                    "tooltip": [
                        {"field": "char", "title": x_title},
                        {"field": "which", "title": " "},
                        {"field": "probability", "format": ".2%", "title": y_title},
                    ],
                },
            },
            {
                "data": {"values": [r for r in rows if r["sampled"]]},
                "mark": {"type": "text", "dy": -8, "text": "▼", "fontSize": 12},
            },
        ],
    }  # fmt: skip


def entropy_curve_rows(probs, temperatures=None) -> list[dict]:
    """Entropy (bits) of the reweighted distribution over a grid of temperatures."""
    temps = np.geomspace(0.05, 2.0, 60) if temperatures is None else np.asarray(temperatures)
    # One softmax over the whole grid: q_T = softmax(log p / T) for every T at once.
    q = tmath.softmax(tmath.log_probs(np.asarray(probs, float))[None, :] / temps[:, None])
    entropy = tmath.entropy_bits(q)
    return [{"temperature": float(t), "entropy": float(h)} for t, h in zip(temps, entropy)]


def entropy_curve_chart(
    rows: list[dict], chosen_t: float, chosen_entropy: float, x_title: str, y_title: str
) -> dict:
    point = [{"temperature": chosen_t, "entropy": chosen_entropy}]
    x = {"field": "temperature", "type": "quantitative", "title": x_title}
    y = {"field": "entropy", "type": "quantitative", "title": y_title,
         "axis": {"titleAngle": 0, "titleAlign": "left", "titleY": -8}}  # fmt: skip
    return {
        "$schema": SCHEMA,
        "height": 220,
        "layer": [
            {"data": {"values": rows}, "mark": {"type": "line", "color": AFTER_COLOR},
             "encoding": {"x": x, "y": y}},
            {"data": {"values": point}, "mark": {"type": "rule", "strokeDash": [4, 4],
             "color": "#666"}, "encoding": {"x": x}},
            {"data": {"values": point}, "mark": {"type": "point", "size": 120, "filled": True,
             "color": "#111"}, "encoding": {"x": x, "y": y, "tooltip": [
                {"field": "temperature", "type": "quantitative", "format": ".2f"},
                {"field": "entropy", "type": "quantitative", "format": ".2f"}]}},
        ],
    }  # fmt: skip


def history_rows(history: list[dict]) -> list[dict]:
    rows = []
    for row in history:
        for key in ("loss", "val_loss"):
            if row.get(key) is not None:
                rows.append({"epoch": int(row["epoch"]), "series": key, "nats/char": row[key]})
    return rows


def history_chart(rows: list[dict], y_title: str = "nats/char") -> dict:
    epochs = sorted({r["epoch"] for r in rows})
    return {
        "$schema": SCHEMA,
        "height": 240,
        "layer": [{
        "data": {"values": rows},
        "mark": {"type": "line", "point": True},
        "encoding": {
            # Whole epochs only: tick values are the epochs themselves, formatted as integers.
            "x": {"field": "epoch", "type": "quantitative",
                  "axis": {"values": epochs, "format": "d"}},
            "y": {"field": "nats/char", "type": "quantitative", "scale": {"zero": False},
                  "title": y_title, "axis": {"titleAngle": 0, "titleAlign": "left",
                                             "titleY": -8}},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "legend": {"orient": "top"}},
            "tooltip": [{"field": "epoch", "type": "quantitative", "format": "d"},
                        {"field": "series"},
                        {"field": "nats/char", "type": "quantitative", "format": ".4f"}],
        },
        }],
    }  # fmt: skip


def model_rows(chars, probs, chosen: int) -> list[dict]:
    """Every character with the model's probability and its rank (for browser-side charts)."""
    probs = np.asarray(probs, float)
    order = np.argsort(-probs, kind="stable")
    rank = np.empty(len(order), int)
    rank[order] = np.arange(len(order))
    return [
        {"char": char_label(c), "p": float(p), "rank": int(r), "sampled": int(i == chosen)}
        for i, (c, p, r) in enumerate(zip(chars, probs.tolist(), rank.tolist()))
    ]


def reweighting_chart(
    rows: list[dict],
    temperature: float,
    labels,
    x_title,
    y_title,
    slider_label,
    other="other",
    top: int = 20,
) -> dict:
    """Before/after bars where the browser computes q = p^(1/T) / sum p^(1/T) itself: a Vega-Lite
    parameter bound to a slider sets T, so dragging it sends nothing to the server."""
    before, after = labels
    transform = [
        {"calculate": "pow(datum.p, 1 / T)", "as": "w"},
        {"joinaggregate": [{"op": "sum", "field": "w", "as": "total"}]},
        {"calculate": "datum.w / datum.total", "as": "q"},
        {"calculate": f"datum.rank < {top} ? datum.char : {_js(other)}", "as": "bar"},
        {
            "aggregate": [
                {"op": "sum", "field": "p", "as": "p"},
                {"op": "sum", "field": "q", "as": "q"},
                {"op": "max", "field": "sampled", "as": "sampled"},
            ],
            "groupby": ["bar"],
        },
        {"fold": ["p", "q"], "as": ["series", "probability"]},
        {"calculate": f"datum.series == 'p' ? {_js(before)} : {_js(after)}", "as": "which"},
    ]
    # An explicit domain orders the bars by the model's probability: the two layers transform
    # their data differently, so Vega-Lite unions their domains and would drop a sort.
    order = [r["char"] for r in sorted(rows, key=lambda r: r["rank"]) if r["rank"] < top]
    x = {
        "field": "bar",
        "type": "nominal",
        "scale": {"domain": [*order, other] if len(rows) > top else order},
        "title": x_title,
        "axis": {"labelAngle": 0, "labelFontSize": 13},
    }
    y = {
        "field": "probability",
        "type": "quantitative",
        "title": y_title,
        "axis": {"format": "%", "titleAngle": 0, "titleAlign": "left", "titleY": -8},
    }
    data = {"values": rows}
    return {
        "$schema": SCHEMA,
        "height": 280,
        "params": [{"name": "T", "value": float(temperature),
                    "bind": {"input": "range", "min": 0.05, "max": 2.0, "step": 0.01,
                             "name": slider_label}}],
        "encoding": {"x": x, "xOffset": {"field": "which", "sort": list(labels)}, "y": y},
        "layer": [
            {"data": data, "transform": transform, "mark": {"type": "bar"},
             "encoding": {
                 "color": {"field": "which", "sort": list(labels), "title": None,
                           "scale": {"domain": list(labels), "range": [BEFORE_COLOR, AFTER_COLOR]},
                           "legend": {"orient": "top"}},
                 "stroke": {"condition": {"test": "datum.sampled > 0", "value": "#111"},
                            "value": None},
                 "strokeWidth": {"condition": {"test": "datum.sampled > 0", "value": 2},
                                 "value": 0},
                 "tooltip": [{"field": "bar", "title": x_title}, {"field": "which", "title": " "},
                             {"field": "probability", "format": ".2%", "title": y_title}]}},
            {"data": data, "transform": [*transform, {"filter": "datum.sampled > 0"}],
             "mark": {"type": "text", "dy": -8, "text": "▼", "fontSize": 12}},
        ],
    }  # fmt: skip


def _js(text: str) -> str:
    """A string literal for a Vega expression."""
    import json

    return json.dumps(str(text))


def sweep_rows(points, names: dict[str, str]) -> list[dict]:
    """Long table: one row per (temperature, figure) with a value."""
    rows = []
    for point in points:
        for field, label in names.items():
            value = getattr(point, field)
            if value is not None:
                rows.append({"temperature": point.temperature, "figure": label, "value": value})
    return rows


def sweep_chart(rows: list[dict], marks: tuple, chosen_t: float, x_title: str) -> dict:
    """Small multiples, one per figure, with the lesson's temperatures (grey) and the page's T
    (dashed) marked."""
    x = {"field": "temperature", "type": "quantitative", "title": x_title}
    y = {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}}
    lesson = [
        {
            "mark": {"type": "rule", "color": "#9aa0a6", "aria": False},
            "encoding": {"x": {"datum": t}},
        }
        for t in marks
    ]
    chosen = {"mark": {"type": "rule", "color": "#111", "strokeDash": [4, 4], "aria": False},
              "encoding": {"x": {"datum": chosen_t}}}  # fmt: skip
    line = {"mark": {"type": "line", "point": {"aria": False}, "color": AFTER_COLOR,
                     "aria": False},
            "encoding": {"x": x, "y": y, "tooltip": [
                {"field": "temperature", "type": "quantitative", "format": ".2f"},
                {"field": "value", "type": "quantitative", "format": ".3f"}]}}  # fmt: skip
    return {
        "$schema": SCHEMA,
        "data": {"values": rows},
        "facet": {"field": "figure", "type": "nominal", "title": None, "sort": None},
        "columns": 2,
        "spec": {"width": 260, "height": 150, "layer": [*lesson, chosen, line]},
        "resolve": {"scale": {"y": "independent"}},
        # The points carry no text of their own: screen readers get the chart's alt text and
        # the explanation beside it instead of 80 unlabeled graphics (axe-core svg-img-alt).
        "config": {"aria": False},
    }


def memory_chart(rows: list[dict], threshold: float, x_title: str, y_title: str, legend: str):
    """Mean influence of the character d places back, one line per model, log scale, with the
    threshold that defines the memory span."""
    x = {"field": "distance", "type": "quantitative", "title": x_title}
    y = {"field": "influence", "type": "quantitative", "title": y_title,
         "scale": {"type": "log", "domain": [1e-4, 1]},
         "axis": {"titleAngle": 0, "titleAlign": "left", "titleY": -8}}  # fmt: skip
    colour = {"field": "model", "type": "nominal", "title": legend,
              "scale": {"range": [BEFORE_COLOR, AFTER_COLOR, "#444444"]}}  # fmt: skip
    return {
        "$schema": SCHEMA,
        "height": 240,
        "layer": [
            {"data": {"values": rows},
             "mark": {"type": "line", "aria": False},
             "encoding": {"x": x, "y": y, "color": colour, "strokeDash": {"field": "model"},
                          "tooltip": [{"field": "model"}, {"field": "distance"},
                                      {"field": "influence", "format": ".4f"}]}},
            {"mark": {"type": "rule", "color": "#666", "strokeDash": [4, 4], "aria": False},
             "encoding": {"y": {"datum": threshold}}},
        ],
        "config": {"aria": False},
    }  # fmt: skip


def curve_chart(rows: list[dict], x_title: str, y_title: str) -> dict:
    """Validation loss (on the quick slice) against seconds of training."""
    x = {"field": "seconds", "type": "quantitative", "title": x_title}
    y = {"field": "loss", "type": "quantitative", "title": y_title, "scale": {"zero": False},
         "axis": {"titleAngle": 0, "titleAlign": "left", "titleY": -8}}  # fmt: skip
    return {
        "$schema": SCHEMA,
        "height": 200,
        "data": {"values": rows},
        "mark": {"type": "line", "point": True, "color": BEFORE_COLOR},
        "encoding": {"x": x, "y": y, "tooltip": [
            {"field": "seconds", "format": ".0f"}, {"field": "loss", "format": ".3f"}]},
    }  # fmt: skip
