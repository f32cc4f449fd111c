"""The page through streamlit.testing.v1.AppTest, on a tiny model trained by the real code."""

import json
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def run_app(query=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def generated(at) -> str:
    return next(m.value for m in at.markdown if 'class="charlm-text"' in m.value)


def chart_data(at, index=0, name=None):
    """The chart's data: Streamlit moves inline values and named datasets into Arrow tables
    (`name`: that dataset; default the first)."""
    proto = at.get("vega_lite_chart")[index].proto
    if proto.data.data:
        return pa.ipc.open_stream(proto.data.data).read_pandas()
    dataset = next(d for d in proto.datasets if name in (None, d.name))
    return pa.ipc.open_stream(dataset.data.data).read_pandas()


def rendered(markdown: str) -> str:
    """What a reader sees of Markdown whose literal text was backslash-escaped."""
    return re.sub(r"\\(.)", r"\1", markdown)


def show(at, view: str) -> AppTest:
    at.session_state["view"] = view
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_spec(at, index=0) -> dict:
    return json.loads(at.get("vega_lite_chart")[index].proto.spec)


def test_page_loads_and_generates(app_env):
    at = run_app()
    assert at.title[0].value.startswith("charlm")
    assert generated(at).count("<span") > 50
    data = chart_data(at)  # the model's distribution; the browser reweights it
    assert data["p"].sum() == pytest.approx(1.0) and data["sampled"].sum() == 1
    assert chart_spec(at)["params"][0]["value"] == 0.5  # the chart's own T starts at the page's


def test_temperature_slider_changes_text_and_chart(app_env):
    at = run_app()
    text_cold = generated(at)
    at.slider(key="temperature").set_value(1.5).run()
    assert not at.exception
    assert generated(at) != text_cold
    assert chart_spec(at)["params"][0]["value"] == 1.5
    assert at.query_params["t"] == "1.5"


def test_with_top_k_the_server_draws_what_was_sampled_from(app_env):
    at = run_app({"k": "3"})
    data = chart_data(at)
    assert set(data["which"]) == {"model (T = 1)", "after reweighting"}
    assert data["sampled"].sum() == 2  # the sampled character, before and after
    after = data[data["which"] == "after reweighting"]["probability"].to_numpy()
    assert (after > 0).sum() <= 3  # top-k left three characters
    assert "params" not in chart_spec(at)


def test_link_round_trips_to_the_same_text(app_env):
    at = run_app()
    at.slider(key="temperature").set_value(0.8).run()
    at.number_input(key="rng_seed").set_value(7).run()
    at.text_area(key="seed_text").input("the man who").run()
    at.slider(key="length").set_value(120).run()
    link = dict(at.query_params)
    text = generated(at)
    assert link["seed"] == "the man who" and link["t"] == "0.8" and link["rng"] == "7"
    opened = run_app(link)
    assert generated(opened) == text
    assert opened.slider(key="temperature").value == 0.8


def test_bad_link_values_give_notices_not_errors(app_env):
    at = run_app(
        {
            "t": "nan",
            "len": "999999",
            "model": "ghost",
            "rng": "-5",
            "lang": "xx",
            "cmp": "0.5,hot,9",
            "k": "many",
        }
    )
    notices = rendered(" ".join(w.value for w in at.warning))
    for fragment in ("t=", "len=", "ghost", "rng=", "lang=", "hot", "k="):
        assert fragment in notices
    assert at.slider(key="length").value == 2000
    assert at.slider(key="temperature").value == 0.5


def test_unknown_seed_characters_are_shown_as_dropped(app_env):
    at = run_app()
    at.text_area(key="seed_text").input("Über <b>alles</b> 😀").run()
    assert not at.exception
    dropped = rendered(" ".join(i.value for i in at.info))
    assert "left out" in dropped and "😀" in dropped
    assert "<b>" not in generated(at)  # escaped: nothing typed is rendered as markup


def test_language_toggle_switches_labels(app_env):
    at = run_app()
    assert at.slider(key="temperature").label == "Temperature T"
    at.session_state["lang"] = "ko"
    at.run()
    assert at.slider(key="temperature").label == "온도 T"
    assert "온도" in at.title[0].value
    assert at.query_params["lang"] == "ko"


def test_greedy_and_compare_temperatures(app_env):
    at = run_app()
    at.toggle(key="greedy").set_value(True).run()
    assert at.slider(key="temperature").disabled
    show(at, "compare")
    at.text_input(key="compare_text").input("0.3, 1.7, banana").run()
    assert any("banana" in w.value for w in at.warning)
    assert any(m.value == "### T = 1.7" for m in at.markdown)


def test_epoch_timeline_uses_snapshots(app_env):
    at = run_app()
    final = generated(at)
    at.toggle(key="use_timeline").set_value(True).run()
    at.select_slider(key="epoch").set_value(1).run()
    assert not at.exception
    assert generated(at) != final
    assert at.query_params["epoch"] == "1"


def test_training_can_be_switched_off(app_env, monkeypatch):
    submit = "FormSubmitter:train_form-Train"
    assert any(b.key == submit for b in run_app({"view": "train"}).button)
    monkeypatch.setenv("CHARLM_TRAINING", "0")
    at = run_app({"view": "train"})
    assert any("switched off" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == submit]


def test_corrupt_model_shows_an_error(app_env):
    (app_env / "tiny-model" / "model.keras").write_bytes(b"garbage")
    at = run_app()
    assert any("cannot be loaded" in e.value for e in at.error)


OWNER_TOKEN = "owner-token-aaaaaaaaaaaaaaaaaaaaaaaa"
STRANGER_TOKEN = "stranger-token-bbbbbbbbbbbbbbbbbbbbbb"


def as_browser(monkeypatch, token):
    """The next AppTest runs as a browser whose cookie holds `token` (a reload keeps it)."""
    from charlm.ui import identity

    monkeypatch.setattr(identity, "read_cookie", lambda: token)


def test_train_tab_reports_a_killed_run_as_interrupted(app_env, isolated_runs, monkeypatch):
    from charlm.common import atomic
    from charlm.serving import ownership

    as_browser(monkeypatch, OWNER_TOKEN)

    run_dir = isolated_runs / "killed-run"
    atomic.write_json(
        run_dir / "run.json",
        {"name": "killed-run", "recipe": {"name": "seed"}, "corpus": {"path": None}},
    )
    # what a SIGKILLed trainer leaves: "running", but nobody holds the lock
    atomic.write_json(
        run_dir / "progress.json",
        {"status": "running", "pid": 999999, "epoch": 1, "epochs": 3, "batch": 10, "fraction": 0.4},
    )
    atomic.write_json(
        run_dir / "history.json",
        [{"epoch": 1, "loss": 2.0, "val_loss": 2.1, "val_bits_per_char": 3.0, "seconds": 1.0}],
    )
    ownership.write_access(run_dir, ownership.new_access(ownership.owner_id(OWNER_TOKEN), False))
    at = run_app({"view": "train"})
    assert any("stopped without finishing" in w.value for w in at.warning)
    assert any(b.key == "resume_run" for b in at.button)
    assert at.selectbox(key="watched_run").value == "killed-run"


def test_ui_process_never_imports_tensorflow(app_env):
    import subprocess
    import sys

    code = (
        "import sys; from streamlit.testing.v1 import AppTest;"
        f"at = AppTest.from_file({APP!r}, default_timeout=60); at.run();"
        "at.slider(key='temperature').set_value(1.1).run();"
        "assert not at.exception, at.exception;"
        "sys.exit(3 if 'tensorflow' in sys.modules or 'keras' in sys.modules else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_finished_run_appears_in_the_model_selector(app_env, isolated_runs, tiny_seed_model):
    shutil.copytree(tiny_seed_model, isolated_runs / "my-run" / "model")
    at = run_app({"model": "runs/my-run"})
    assert any(label.startswith("runs/my-run ·") for label in at.selectbox(key="model").options)
    assert at.selectbox(key="model").value == "runs/my-run"


def test_settings_survive_a_visit_to_another_view(app_env):
    at = run_app()
    at.slider(key="temperature").set_value(1.3).run()
    at.text_area(key="seed_text").input("the will to power").run()
    show(at, "compare")
    at.text_input(key="compare_text").input("0.3, 0.9").run()
    show(at, "train")
    show(at, "explore")
    assert at.slider(key="temperature").value == 1.3
    assert at.text_area(key="seed_text").value == "the will to power"
    show(at, "compare")
    assert at.text_input(key="compare_text").value == "0.3, 0.9"


def test_compare_can_add_a_greedy_column_and_the_link_keeps_it(app_env):
    at = show(run_app(), "compare")
    at.toggle(key="compare_greedy").set_value(True).run()
    assert not at.exception
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert headings[-1] == "### greedy (argmax)" and len(headings) == 5
    assert at.query_params["cmpg"] == "1" and "greedy" not in at.query_params["cmp"]
    opened = run_app(dict(at.query_params))
    assert opened.toggle(key="compare_greedy").value is True


def test_hovering_a_character_shows_the_five_likeliest_next_characters(app_env):
    at = run_app()
    html = generated(at)
    first = re.search(r'<span title="([^"]*)" style="background', html).group(1)
    probability, top = first.split(" | ")
    assert probability.endswith("%") and len(top.split(" · ")) == 5


def test_compare_view_shows_the_temperature_sweep(app_env):
    at = show(run_app(), "compare")
    panels = [
        i for i, c in enumerate(at.get("vega_lite_chart")) if "sweep_" in c.proto.id or
        any(d.name == "points" for d in c.proto.datasets)
    ]  # fmt: skip
    assert len(panels) == 4  # one chart per figure, stacked on a phone
    titles = [chart_spec(at, i)["title"]["text"] for i in panels]
    assert titles[1:3] == ["repeated 4-grams (share)", "surprisal (bits/char)"]
    data = chart_data(at, panels[1], "points")
    assert data["temperature"].nunique() >= 20
    table = next(d.value for d in at.dataframe if "temperature" in d.value.columns)
    assert len(table) >= 20 and "surprisal (bits/char)" in table.columns


def coloured_boxes(at) -> list[str]:
    return [m.value for m in at.markdown if 'class="charlm-text"' in m.value]


def test_neurons_view_colours_text_by_a_cell_and_opens_found_cells(app_env):
    at = show(run_app(), "neurons")
    box = coloured_boxes(at)[0]
    values = re.findall(r'title="value ([+-][0-9.]+)"', box)
    assert len(values) > 50 and all(-1 <= float(v) <= 1 for v in values)
    found = [b for b in at.button if b.key and b.key.startswith("open_")]
    assert found, "the cells that track each feature are listed"
    target = found[-1]
    _, _, layer, kind, unit = target.key.rsplit("_", 4)
    target.click().run()
    assert not at.exception
    assert at.number_input(key="neuron_unit").value == int(unit)
    assert at.radio(key="neuron_kind").value == kind
    assert any(f"cell {unit}:" in m.value for m in at.markdown)
    assert "neurons" == at.query_params["view"]


def test_neurons_view_reads_your_own_text_and_drops_unknown_characters(app_env):
    at = show(run_app(), "neurons")
    at.radio(key="neuron_source").set_value("own").run()
    at.text_area(key="neuron_text").input("the man 한국어 and the").run()
    assert not at.exception
    assert any("한" in c.value for c in at.caption)  # named as left out
    assert coloured_boxes(at)[0].count("<span") == len("the man  and the")
    at.text_area(key="neuron_text").input("").run()
    assert not at.exception
    assert any("Nothing to colour" in i.value for i in at.info)


def test_neurons_view_finds_cells_for_a_model_without_a_report(app_env):
    (app_env / "tiny-model" / "neurons.json").write_text("{not json", encoding="utf-8")
    at = show(run_app(), "neurons")
    assert any(b.key and b.key.startswith("open_") for b in at.button)
    memory = [c for c in at.get("vega_lite_chart") if "characters back" in c.proto.spec]
    assert memory, "the memory-span chart is drawn from the computed report"


def test_step_inspector_shows_what_the_prediction_looked_at(app_env):
    at = run_app()
    assert not any("deleting it moves" in b for b in coloured_boxes(at))  # opt-in: costs time
    at.toggle(key="show_influence").set_value(True).run()
    boxes = coloured_boxes(at)
    influence = next(b for b in boxes if "deleting it moves" in b)
    shares = [float(v) for v in re.findall(r"deleting it moves ([0-9.]+)%", influence)]
    assert len(shares) == 60 and max(shares) > 1.0


def test_neuron_choice_survives_a_visit_to_another_view(app_env):
    at = show(run_app(), "neurons")
    at.number_input(key="neuron_unit").set_value(5).run()
    show(at, "explore")
    show(at, "neurons")
    assert at.number_input(key="neuron_unit").value == 5


def test_a_neurons_link_opens_its_cell_and_the_link_follows_the_cell_shown(app_env):
    """Found by the class check: a teacher could not share "look at this cell"."""
    at = run_app({"view": "neurons", "layer": "1", "cell": "5", "kind": "hidden", "src": "passage"})
    assert at.number_input(key="neuron_unit").value == 5
    assert at.radio(key="neuron_kind").value == "hidden"
    assert at.radio(key="neuron_source").value == "passage"
    assert any("cell 5:" in m.value or "unit 5" in m.value for m in at.markdown)
    at.number_input(key="neuron_unit").set_value(7).run()
    assert (at.query_params["cell"], at.query_params["kind"]) == ("7", "hidden")
    assert at.query_params["src"] == "passage" and at.query_params["layer"] == "1"
    wide = run_app({"view": "neurons", "cell": "99999"})  # the model has 24 cells
    assert at.number_input(key="neuron_unit").value == 7
    assert wide.number_input(key="neuron_unit").value == 23
    assert wide.query_params["cell"] == "23"


def test_train_view_shows_samples_from_every_few_seconds_of_training(
    app_env, isolated_runs, monkeypatch
):
    from charlm.common import atomic
    from charlm.serving import ownership

    as_browser(monkeypatch, OWNER_TOKEN)
    run_dir = isolated_runs / "quick-run"
    atomic.write_json(
        run_dir / "run.json",
        {"name": "quick-run", "recipe": {"name": "quick"}, "corpus": {"path": None}},
    )
    atomic.write_json(run_dir / "progress.json", {"status": "done", "epoch": 2, "epochs": 2})
    curve = [
        {"seconds": 5.1 * (i + 1), "step": 60 * (i + 1), "epoch": 0, "batch": 60,
         "val_loss": 2.5 - 0.2 * i, "temperature": 0.5, "sample": f"sample number {i} " * 5}
        for i in range(6)
    ]  # fmt: skip
    atomic.write_json(run_dir / "curve.json", curve)
    ownership.write_access(run_dir, ownership.new_access(ownership.owner_id(OWNER_TOKEN), False))
    at = run_app({"view": "train"})
    assert any(
        "After 31 s of training (validation ≈ 1.50 nats/char)" in m.value for m in at.markdown
    )
    assert any("sample number 5" in t.value for t in at.text)
    data = [c for c in at.get("vega_lite_chart") if "seconds of training" in c.proto.spec]
    assert data, "the loss-over-time chart is drawn"
    assert any("sample number 0" in t.value for t in at.text)  # an earlier one to compare


def test_quick_is_the_train_views_default_recipe(app_env):
    at = run_app({"view": "train"})
    assert at.radio(key="train_recipe").value == "quick"


def test_a_linked_epoch_the_model_did_not_keep_is_said_not_silently_changed(app_env):
    at = run_app({"epoch": "999999999"})
    warnings = [w.value for w in at.sidebar.warning]
    assert any("999999999" in w for w in warnings), warnings
    assert at.query_params["epoch"] != "999999999"
