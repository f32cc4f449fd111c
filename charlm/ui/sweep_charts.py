"""The Compare view's sweep charts, in Altair, each in the page's language, built once as
templates (charts.built) and filled per move, as the page's other charts are:

- the temperature sweep: real words, repetition, surprisal and calibration against T, the
  lesson's temperatures grey and the page's T dashed;
- the sweep along top-p or min-p at one T: the same figures against the knob's value, and real
  words against surprisal for both knobs, the chart that shows which knob keeps more real words
  at the same surprisal.

One panel per chart: the page lays them out two by two, stacked on a phone.
"""

from __future__ import annotations

from charlm.analysis import sweep
from charlm.ui import charts
from charlm.ui.charts import AFTER_COLOR, BEFORE_COLOR, fill, for_streamlit
from charlm.ui.lazy_altair import alt
from charlm.ui.strings import text

# The figures (SweepPoint / KnobPoint fields) and their names' keys, in the order they are
# drawn, the same in every language.
SWEEP_FIGURES = {
    "real_words": "sweep_real_words",
    "repetition": "sweep_repetition",
    "surprisal_bits": "sweep_surprisal",
    "calibration_nats": "sweep_calibration",
}
KNOB_FIGURES = {k: v for k, v in SWEEP_FIGURES.items() if k != "calibration_nats"}
# Panels carry no text per point: screen readers get the chart's alt text and the explanation
# beside it instead of 80 unlabeled graphics (axe-core svg-img-alt).
QUIET = {"aria": False}


def template(kind: str, lang: str) -> dict:
    """The validated spec of one sweep chart (a key of BUILDERS) in one language."""
    return charts.prebuilt(kind, BUILDERS[kind], lang)


def _panel(x: alt.X, points: alt.Chart, title: str, *rules) -> alt.LayerChart:
    """Rules (reference lines), then the figure's line with points, titled `title`."""
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=False))
    tooltip = [alt.Tooltip(f"{x.shorthand}", format=".2f"),
               alt.Tooltip("value:Q", format=".3f", title=title)]  # fmt: skip
    line = (
        points.mark_line(point=alt.OverlayMarkDef(**QUIET), color=AFTER_COLOR, **QUIET)
        .encode(x=x, y=y, tooltip=tooltip)
    )  # fmt: skip
    return alt.layer(*rules, line).properties(
        height=220,
        title=alt.Title(title, anchor="start", fontSize=13),
        config=alt.Config(**QUIET),
    )


def _dashed(x: alt.X) -> alt.Chart:
    """The page's own setting, dashed (data "chosen"; none: no line)."""
    return (
        alt.Chart(alt.Data(name="chosen"))
        .mark_rule(color="#111", strokeDash=[4, 4], **QUIET)
        .encode(x=x)
    )


# ---- along temperature -----------------------------------------------------------------


def sweep_rows(points, field: str) -> list[dict]:
    """One figure of the temperature sweep: [{"temperature", "value"}] where it has a value."""
    return [
        {"temperature": p.temperature, "value": getattr(p, field)}
        for p in points
        if getattr(p, field) is not None
    ]


def _sweep_panel(lang: str, field: str) -> alt.LayerChart:
    """One figure against temperature, the lesson's temperatures grey, the page's T dashed."""
    x = alt.X("temperature:Q", title=text(lang, "temperature_axis"), axis=alt.Axis(labelFlush=True))
    lesson = alt.Chart(alt.Data(values=[{"temperature": t} for t in sweep.LESSON_TEMPERATURES]))
    return _panel(
        x,
        alt.Chart(alt.Data(name="points")),
        text(lang, SWEEP_FIGURES[field]),
        lesson.mark_rule(color="#9aa0a6", **QUIET).encode(x=x),
        _dashed(x),
    )


def sweep_panel(rows: list[dict], chosen_t: float, field: str, lang: str) -> dict:
    """`rows` from sweep_rows(points, field); `field` a key of SWEEP_FIGURES."""
    chosen = [{"temperature": chosen_t}]
    return for_streamlit(fill(template(f"sweep_{field}", lang), {"points": rows, "chosen": chosen}))


# ---- along top-p or min-p --------------------------------------------------------------


def knob_rows(points, field: str) -> list[dict]:
    """One figure of a knob sweep: [{"setting", "value"}] where it has a value."""
    return [
        {"setting": p.value, "value": getattr(p, field)}
        for p in points
        if getattr(p, field) is not None
    ]


def _knob_panel(lang: str, knob: str, field: str) -> alt.LayerChart:
    """One figure against the knob's value, the page's own value dashed."""
    x = alt.X("setting:Q", title=text(lang, f"knob_axis_{knob}"), axis=alt.Axis(labelFlush=True))
    title = text(lang, KNOB_FIGURES[field])
    return _panel(x, alt.Chart(alt.Data(name="points")), title, _dashed(x))


def knob_panel(rows: list[dict], chosen: float | None, knob: str, field: str, lang: str) -> dict:
    """`rows` from knob_rows(points, field); `chosen`: the page's value of `knob` (None: off,
    no dashed line)."""
    marks = [] if chosen is None else [{"setting": chosen}]
    spec = fill(template(f"knob_{knob}_{field}", lang), {"points": rows, "chosen": marks})
    return for_streamlit(spec)


def tradeoff_rows(sweeps: dict[str, list], lang: str) -> list[dict]:
    """Both knobs' points as [{"knob", "setting", "surprisal", "real_words"}], the knob named
    as the page names it (where real words could be counted)."""
    return [
        {
            "knob": text(lang, f"sweep_along_{knob}"),
            "setting": p.value,
            "surprisal": p.surprisal_bits,
            "real_words": p.real_words,
        }
        for knob in sweep.KNOBS
        for p in sweeps.get(knob, [])
        if p.real_words is not None
    ]


def _tradeoff(lang: str) -> alt.Chart:
    """Real words against surprisal, one line per knob (blue solid, gold dashed): at the same
    surprisal, the higher line keeps more real words. Taller than the other panels: Streamlit
    fits the whole chart in its height, and the legend takes 55 px of it."""
    names = [text(lang, f"sweep_along_{knob}") for knob in sweep.KNOBS]
    knob = dict(title=None, legend=alt.Legend(orient="bottom"))
    title = text(lang, "knob_tradeoff")
    tooltip = [
        alt.Tooltip("knob:N", title=" "),
        alt.Tooltip("setting:Q", format=".2f", title=text(lang, "knob_setting")),
        alt.Tooltip("surprisal:Q", format=".2f", title=text(lang, "sweep_surprisal")),
        alt.Tooltip("real_words:Q", format=".2f", title=text(lang, "sweep_real_words")),
    ]
    return (
        alt.Chart(alt.Data(name="points"))
        .mark_line(point=alt.OverlayMarkDef(**QUIET), **QUIET)
        .encode(
            x=alt.X("surprisal:Q", title=text(lang, "sweep_surprisal"),
                    scale=alt.Scale(zero=False), axis=alt.Axis(labelFlush=True)),
            y=alt.Y("real_words:Q", title=None, scale=alt.Scale(zero=False)),
            color=alt.Color("knob:N", scale=alt.Scale(domain=names,
                                                      range=[BEFORE_COLOR, AFTER_COLOR]), **knob),
            strokeDash=alt.StrokeDash("knob:N", scale=alt.Scale(domain=names,
                                                                range=[[1, 0], [6, 3]]), **knob),
            tooltip=tooltip,
        )
        .properties(height=275, title=alt.Title(title, anchor="start", fontSize=13),
                    config=alt.Config(**QUIET))
    )  # fmt: skip


def tradeoff_chart(rows: list[dict], lang: str) -> dict:
    """`rows` from tradeoff_rows."""
    return for_streamlit(fill(template("knob_tradeoff", lang), {"points": rows}))


BUILDERS = {
    **{f"sweep_{field}": (lambda lang, f=field: _sweep_panel(lang, f)) for field in SWEEP_FIGURES},
    **{
        f"knob_{knob}_{field}": (lambda lang, k=knob, f=field: _knob_panel(lang, k, f))
        for knob in sweep.KNOBS
        for field in KNOB_FIGURES
    },
    "knob_tradeoff": _tradeoff,
}
