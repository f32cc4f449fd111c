"""What a move costs in chart building, per chart, side by side: the hand-built Vega-Lite dicts
the page used before Altair (commit b49cbc0, read with `git show`), Altair built per move
(validated, and with validate=False), and the Altair template filled per move (today's page).
Each also with Streamlit's own server-side work on the spec (st.vega_lite_chart: data to Arrow,
spec to JSON), which a move pays either way.

    .venv/bin/python benchmarks/chart_cost.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import altair as alt  # noqa: E402
import numpy as np  # noqa: E402
from streamlit.elements import vega_charts  # noqa: E402
from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart  # noqa: E402

from charlm.analysis.sweep import LESSON_TEMPERATURES, SweepPoint  # noqa: E402
from charlm.ui import charts, sweep_charts  # noqa: E402
from charlm.ui.strings import text  # noqa: E402

BUILDERS = {**charts.BUILDERS, **sweep_charts.BUILDERS}  # every kind of chart the page draws


def template(kind: str, lang: str) -> dict:
    return charts.built(BUILDERS[kind], lang)


BEFORE_ALTAIR = "b49cbc0"  # the last commit with hand-built dicts


def old_charts() -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{BEFORE_ALTAIR}:charlm/ui/charts.py"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    module = types.ModuleType("old_charts")
    exec(compile(source, "old_charts.py", "exec"), module.__dict__)
    return module


def streamlit_side(spec: dict) -> None:
    """What st.vega_lite_chart does with a spec on the server."""
    spec = vega_charts._prepare_vega_lite_spec(spec, True)
    proto = VegaLiteChart()
    vega_charts._marshall_chart_data(proto, spec)
    vega_charts._stabilize_vega_json_spec(__import__("json").dumps(spec))


def ms(call, repeat: int, rounds: int = 5) -> float:
    """Best of `rounds` means over `repeat` calls: the machine is shared, the minimum is the
    chart's own cost."""
    call()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            call()
        best = min(best, (time.perf_counter() - start) / repeat * 1000)
    return best


def altair_build(kind: str, lang: str, datasets: dict, validate: bool, **params):
    chart = BUILDERS[kind](lang, **params).properties(datasets=datasets)
    with alt.theme.enable("none"):
        return chart.to_dict(validate=validate)


def cases(old, lang: str = "en"):
    """(name, old builder -> [specs], [(kind, datasets, params)] for the new charts), one move."""
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.full(60, 0.3))
    chars = [chr(ord("!") + i) for i in range(60)]
    after = probs**2 / (probs**2).sum()
    labels = (text(lang, "before"), text(lang, "after"))
    x, y = text(lang, "character"), text(lang, "probability")
    tx, ty = text(lang, "temperature_axis"), text(lang, "entropy_axis")
    points = [SweepPoint(t, 0.9, 0.1, 2.0 + t, 1.6) for t in np.linspace(0.1, 2.0, 20)]
    names = {f: text(lang, k) for f, k in sweep_charts.SWEEP_FIGURES.items()}
    curve = lambda: old.entropy_curve_chart(old.entropy_curve_rows(probs), 0.5, 1.0, tx, ty)  # noqa: E731
    yield (
        "Explore: inspector (bars + entropy curve)",
        lambda: [old.reweighting_chart(old.model_rows(chars, probs, 3), 0.5, labels, x, y,
                                       text(lang, "try_t")), curve()],
        lambda: [("inspector", {"model": charts.model_rows(chars, probs, 3, lang),
                                "curve": charts.entropy_curve_rows(probs)}, {"T": 0.5})],
    )  # fmt: skip
    yield (
        "Explore, top-k: bars + entropy curve",
        lambda: [old.distribution_chart(old.distribution_rows(chars, probs, after, 3,
                                                              labels=labels), x, y, labels),
                 curve()],
        lambda: [("distribution", {"bars": charts.distribution_rows(chars, probs, after, 3)}, {}),
                 ("entropy_curve", {"curve": charts.entropy_curve_rows(probs),
                                    "point": [{"temperature": 0.5, "entropy": 1.0}]}, {})],
    )  # fmt: skip
    yield (
        "Compare: temperature sweep",
        lambda: [old.sweep_chart(old.sweep_rows(points, names), LESSON_TEMPERATURES, 0.5, tx)],
        lambda: [(f"sweep_{f}", {"points": sweep_charts.sweep_rows(points, f),
                                 "chosen": [{"temperature": 0.5}]}, {})
                 for f in sweep_charts.SWEEP_FIGURES],
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    old = old_charts()
    for kind in BUILDERS:  # first use: each built and validated once per process
        template(kind, "en")
    print(f"ms per move, rows and specs included (best of 5 means of {args.repeat}; Altair: of 3);")
    print("'+st': plus Streamlit's server-side work on the specs (Arrow, JSON)")
    header = ("dict", "dict +st", "altair", "alt novalid", "template", "tmpl +st")
    print(f"{'move':<42}" + "".join(f"{h:>12}" for h in header))
    for name, old_build, new in cases(old):
        print(f"{name:<42}" + "".join(f"{v:>12.3f}" for v in row(old_build, new, args.repeat)))


def row(old_build, new, repeat: int) -> list[float]:
    def fill():
        return [charts.for_streamlit(charts.fill(template(k, "en"), d, **p))
                for k, d, p in new()]  # fmt: skip

    def build(valid: bool):
        return [altair_build(k, "en", d, valid, **p) for k, d, p in new()]

    return [
        ms(old_build, repeat),
        ms(lambda: [streamlit_side(spec) for spec in old_build()], repeat),
        ms(lambda: build(True), 3, 3),
        ms(lambda: build(False), 3, 3),
        ms(fill, repeat),
        ms(lambda: [streamlit_side(spec) for spec in fill()], repeat),
    ]


if __name__ == "__main__":
    main()
