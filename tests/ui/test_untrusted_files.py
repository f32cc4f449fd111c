"""Every file in a model folder is untrusted input: an unusable one makes only its own
feature unavailable, with a message, never Streamlit's error box (issue 19, item 8)."""

import json
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def page(query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def said(at) -> str:
    """The page's messages as a reader sees them (Markdown escapes removed)."""
    kinds = ("error", "warning", "info", "caption")
    return re.sub(r"\\(.)", r"\1", " ".join(e.value for kind in kinds for e in at.get(kind)))


def test_a_truncated_epoch_snapshot_gives_only_a_message(app_env):
    snapshot = app_env / "tiny-model" / "snapshots" / "epoch_001.weights.h5"
    snapshot.write_bytes(snapshot.read_bytes()[:200])
    at = page({"model": "tiny-model", "epoch": "1"})
    # which file, and that it cannot be read (the reader's own words go to the server's log)
    assert "epoch_001.weights.h5 cannot be read" in said(at)
    at.select_slider(key="epoch").set_value(2).run()  # the timeline still moves on
    assert not at.exception, [e.value for e in at.exception]
    at.select_slider(key="epoch").set_value(1).run()
    assert not at.exception, [e.value for e in at.exception]


def test_one_broken_bundled_model_leaves_the_neurons_view_of_the_others(app_env):
    broken = app_env / "broken-model"
    shutil.copytree(app_env / "tiny-model", broken)
    (broken / "model.keras").write_bytes(b"not a zip")
    at = page({"model": "tiny-model", "view": "neurons"})
    assert at.get("vega_lite_chart")  # the activation and memory charts of the good model


ENTRY = {"layer": 0, "kind": "cell", "unit": 1, "correlation": 0.5, "example": "the man"}


def report(**changes) -> dict:
    base = {
        "schema": 1,
        "source": "heldout.txt",
        "characters": 4000,
        "features": {"since_space": [dict(ENTRY)]},
        "memory": {"threshold": 0.01, "positions": 10, "curve": [0.5, 0.1, 0.001], "span": 2},
    }
    return {**base, **changes}


BAD_REPORTS = {
    "not json": "{not json",
    "a list": [],
    "features a list": report(features=[ENTRY]),
    "layer a string": report(features={"since_space": [{**ENTRY, "layer": "0"}]}),
    "unit negative": report(features={"since_space": [{**ENTRY, "unit": -1}]}),
    "kind unknown": report(features={"since_space": [{**ENTRY, "kind": "gate"}]}),
    "correlation text": report(features={"since_space": [{**ENTRY, "correlation": "high"}]}),
    "example a number": report(features={"since_space": [{**ENTRY, "example": 7}]}),
    "memory curve text": report(memory={"threshold": 0.01, "curve": "abc", "span": 2}),
    "memory span text": report(memory={"threshold": "x", "curve": [0.1], "span": "2"}),
    "characters a dict": report(characters={"n": 1}, source=["x"]),
}


@pytest.mark.parametrize("name", sorted(BAD_REPORTS))
def test_a_bad_neurons_json_makes_only_its_feature_unavailable(app_env, name):
    bad = BAD_REPORTS[name]
    payload = bad if isinstance(bad, str) else json.dumps(bad)
    (app_env / "tiny-model" / "neurons.json").write_text(payload, encoding="utf-8")
    at = page({"model": "tiny-model", "view": "neurons"})
    assert "neurons.json" in said(at)
    assert at.get("vega_lite_chart")  # the chosen cell is still drawn


def test_an_oversized_model_file_is_not_read(app_env):
    from charlm.analysis import neuron_report

    path = app_env / "tiny-model" / "neurons.json"
    path.write_text(json.dumps(report(padding="x" * (neuron_report.MAX_BYTES + 1))))
    assert neuron_report.read_report(path.parent) is None
    assert "larger than" in neuron_report.report_problem(path.parent)


def test_a_run_folder_with_files_of_the_wrong_shape_is_shown_not_crashed_on(app_env, isolated_runs):
    from charlm.common import atomic
    from charlm.serving import ownership

    run_dir = isolated_runs / "odd"
    atomic.write_json(run_dir / "run.json", {"name": "odd", "recipe": {"name": "seed"}})
    atomic.write_json(
        run_dir / "progress.json",
        {"status": "done", "epochs": "many", "epoch": "x", "fraction": "half", "message": 3},
    )
    atomic.write_json(run_dir / "history.json", [5, {"epoch": "1"}, {"epoch": 1, "loss": "x"}])
    atomic.write_json(run_dir / "samples.json", {"epoch": 1})
    atomic.write_json(run_dir / "curve.json", [{"seconds": "soon", "val_loss": 1, "sample": 2}])
    ownership.write_access(run_dir, ownership.new_access(None, private=False))
    at = page({"view": "train"})
    assert at.selectbox(key="watched_run").value == "odd"


def test_run_and_model_files_keep_only_rows_of_the_right_shape(app_env, isolated_runs):
    from charlm.common import atomic
    from charlm.generation.artifacts import MAX_HELDOUT_BYTES, open_model_folder
    from charlm.training import runfiles

    run_dir = isolated_runs / "r"
    good = {"epoch": 2, "loss": 1.5, "val_loss": None}
    atomic.write_json(run_dir / "history.json", [good, {"epoch": True, "loss": 1, "val_loss": 1}])
    atomic.write_json(run_dir / "progress.json", {"status": 7, "pid": 12, "epochs": "3"})
    assert runfiles.read_history(run_dir) == [good]
    assert runfiles.read_progress(run_dir) == {"pid": 12}
    folder = open_model_folder(app_env / "tiny-model")
    (folder.path / "heldout.txt").write_bytes(b"\xff\xfe not utf-8 \xff")
    assert folder.heldout_text() is None
    (folder.path / "heldout.txt").write_text("x" * (MAX_HELDOUT_BYTES + 1))
    assert folder.heldout_text() is None
    (folder.path / "history.json").write_text('{"epoch": 1}')
    assert folder.history() == []
