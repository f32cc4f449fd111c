"""Training on a shared deployment: ownership, privacy, the queue, quotas, folder faults."""

import errno
import json
import shutil
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from charlm.common import atomic
from charlm.common.settings import load_settings
from charlm.serving import jobs, ownership, quotas, run_queue
from charlm.training import runfiles

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
OWNER, STRANGER = "owner-token-aaaaaaaaaaaaaaaaaaaaaaaa", "stranger-token-bbbbbbbbbbbbbbbbbbbbbb"


@pytest.fixture
def app_env(app_env, monkeypatch):
    monkeypatch.setenv("CHARLM_TEACHER_PASSPHRASE", "owl-lantern-42")
    return app_env


def browser(monkeypatch, token, query=None) -> AppTest:
    """A page session of the browser whose cookie holds `token`."""
    from charlm.ui import identity

    monkeypatch.setattr(identity, "read_cookie", lambda: token)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"view": "train", **(query or {})})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def finished_run(runs: Path, name: str, token: str | None, private: bool, model=None) -> Path:
    run_dir = runs / name
    atomic.write_json(run_dir / "run.json", {"name": name, "recipe": {"name": "seed"}})
    atomic.write_json(run_dir / "progress.json", {"status": "done", "epoch": 1, "epochs": 1})
    atomic.write_json(run_dir / "history.json", [{"epoch": 1, "loss": 2.0, "val_loss": 2.1}])
    owner = ownership.owner_id(token) if token else None
    ownership.write_access(run_dir, ownership.new_access(owner, private))
    if model is not None:
        shutil.copytree(model, run_dir / "model")
    return run_dir


def buttons(at) -> set[str]:
    return {b.key for b in at.button}


def test_stranger_cannot_see_or_control_a_private_run(app_env, isolated_runs, monkeypatch,
                                                      tiny_seed_model):  # fmt: skip
    finished_run(isolated_runs, "secret-diary", OWNER, private=True, model=tiny_seed_model)
    owner = browser(monkeypatch, OWNER)
    assert owner.selectbox(key="watched_run").value == "secret-diary"
    assert {"delete_run", "publish_run"} <= buttons(owner)
    stranger = browser(monkeypatch, STRANGER)
    assert not [s for s in stranger.selectbox if s.key == "watched_run"]  # not even listed
    explore = browser(monkeypatch, STRANGER, {"view": "explore"})
    assert not any(o.startswith("runs/secret") for o in explore.selectbox(key="model").options)
    mine = browser(monkeypatch, OWNER, {"view": "explore"})
    assert any(o.startswith("runs/secret") for o in mine.selectbox(key="model").options)
    # a share link naming the private model does not open it either
    linked = browser(monkeypatch, STRANGER, {"model": "runs/secret-diary", "view": "explore"})
    assert linked.selectbox(key="model").value != "runs/secret-diary"


def test_public_run_is_watched_by_all_but_controlled_by_its_owner(app_env, isolated_runs,
                                                                  monkeypatch):  # fmt: skip
    finished_run(isolated_runs, "nietzsche-run", OWNER, private=False)
    stranger = browser(monkeypatch, STRANGER)
    assert stranger.selectbox(key="watched_run").value == "nietzsche-run"
    assert not {"delete_run", "pin_run", "cancel_run", "resume_run"} & buttons(stranger)
    again = browser(monkeypatch, OWNER)  # a reload: a new session, the same cookie
    assert {"delete_run", "pin_run"} <= buttons(again)


def test_teacher_passphrase_controls_every_run(app_env, isolated_runs, monkeypatch):
    from charlm.ui import identity

    # The wait after a wrong guess has its own test; here the right guess follows at once.
    monkeypatch.setattr(identity, "FIRST_WAIT_SECONDS", 0.0)
    finished_run(isolated_runs, "student-run", OWNER, private=True)
    teacher = browser(monkeypatch, STRANGER)
    assert not [s for s in teacher.selectbox if s.key == "watched_run"]
    teacher.text_input(key="teacher_pass").input("wrong").run()
    teacher.button(key="teacher_unlock").click().run()
    assert any("not right" in e.value for e in teacher.error)
    teacher.text_input(key="teacher_pass").input("owl-lantern-42").run()
    teacher.button(key="teacher_unlock").click().run()
    assert teacher.selectbox(key="watched_run").value == "student-run"
    teacher.button(key="pin_run").click().run()
    assert ownership.read_access(isolated_runs / "student-run").pinned
    teacher.button(key="delete_run").click().run()
    assert not (isolated_runs / "student-run").exists()


def test_queue_is_first_in_first_out_one_per_person_and_capped(isolated_runs):
    runs = isolated_runs
    runs.mkdir()
    positions = []
    for i, owner in enumerate(["a", "b", "c"]):
        (runs / f"r{i}").mkdir()
        positions.append(run_queue.enqueue(runs, runs / f"r{i}", ["--epochs", "1"], owner, 3))
    assert positions == [1, 2, 3]
    assert [r.run_dir.name for r in run_queue.pending(runs)] == ["r0", "r1", "r2"]
    (runs / "r3").mkdir()
    with pytest.raises(run_queue.AlreadyQueuedError):
        run_queue.enqueue(runs, runs / "r3", [], "a", 10)
    with pytest.raises(run_queue.QueueFullError, match="full"):
        run_queue.enqueue(runs, runs / "r3", [], "d", 3)
    assert run_queue.withdraw(runs, runs / "r1")
    assert run_queue.position(runs, runs / "r2") == 2
    assert runfiles.read_progress(runs / "r1")["status"] == "cancelled"


def test_dispatcher_runs_queued_requests_in_order_without_a_page(isolated_runs, tiny_corpus,
                                                                  monkeypatch):  # fmt: skip
    monkeypatch.setenv("CHARLM_RUN_INTERVAL", "0")
    settings = load_settings()
    tiny = ("--units", "16", "--maxlen", "20", "--corpus", str(tiny_corpus))
    first, _ = jobs.request_run(settings, "seed", 1, None, "first", "a", tiny)
    second, place = jobs.request_run(settings, "seed", 1, None, "second", "b", tiny)
    assert place in (1, 2)  # 1 if the dispatcher already took the first
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if all(jobs.read_run(r).status == "done" for r in (first, second)):
            break
        time.sleep(0.5)
    assert [jobs.read_run(r).status for r in (first, second)] == ["done", "done"]
    started = [json.loads((r / "progress.json").read_text())["started"] for r in (first, second)]
    assert started[0] < started[1]


def test_rate_limit_per_person(isolated_runs, monkeypatch):
    monkeypatch.setenv("CHARLM_RUN_INTERVAL", "60")
    finished_run(isolated_runs, "just-now", OWNER, private=False)
    settings = load_settings()
    with pytest.raises(jobs.RateLimitError, match="try again"):
        jobs.request_run(settings, "seed", 1, None, "again", ownership.owner_id(OWNER))
    assert not (isolated_runs / "again").exists()


def test_disk_budget_removes_oldest_unpinned_finished_runs_first(isolated_runs):
    names = ["oldest", "pinned", "newer", "running"]
    for i, name in enumerate(names):
        run = finished_run(isolated_runs, name, OWNER, private=False)
        (run / "weights.bin").write_bytes(b"x" * 400_000)
        ownership.update_access(run, requested=1000.0 + i, pinned=name == "pinned")
    runfiles.update_progress(isolated_runs / "running", status="running")
    removed = quotas.trim_to_budget(isolated_runs, budget_mb=1.0)
    assert removed == ["oldest", "newer"]
    assert {p.name for p in isolated_runs.iterdir()} >= {"pinned", "running"}


def test_same_upload_name_from_two_sessions_keeps_both_texts(isolated_runs, monkeypatch):
    monkeypatch.setenv("CHARLM_RUN_INTERVAL", "0")
    monkeypatch.setattr(run_queue, "ensure_dispatcher", lambda *a, **k: False)
    settings = load_settings()
    one, _ = jobs.request_run(settings, "seed", 1, ("book.txt", "first text " * 2000), None, "a")
    two, _ = jobs.request_run(settings, "seed", 1, ("book.txt", "second text " * 2000), None, "b")
    assert (one / jobs.UPLOAD_FILE).read_text().startswith("first")
    assert (two / jobs.UPLOAD_FILE).read_text().startswith("second")
    assert ownership.read_access(one).private


def test_unwritable_runs_folder_gives_a_message_not_a_traceback(app_env, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CHARLM_RUNS", str(blocker / "runs"))
    at = browser(monkeypatch, OWNER)
    at.button(key="FormSubmitter:train_form-Train").click().run()
    assert not at.exception
    assert any("cannot be written" in w.value for w in at.warning)


def test_full_disk_is_reported_and_completed_epochs_kept(isolated_runs, tiny_corpus, monkeypatch):
    """An injected writer error: ENOSPC while recording epoch 2, until space is freed."""
    from charlm.training import callbacks
    from charlm.training.recipes import make_recipe
    from charlm.training.train import RESERVE_FILE, train

    run_dir = isolated_runs / "full"
    real_write = atomic.write_json

    def write_json(path, payload):
        full = (run_dir / RESERVE_FILE).exists()
        if full and Path(path).name == "history.json" and len(payload) >= 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(path, payload)

    monkeypatch.setattr(callbacks.atomic, "write_json", write_json)
    recipe = make_recipe("seed", units=16, maxlen=20, epochs=3)
    with pytest.raises(OSError):
        train(run_dir, recipe, corpus_path=tiny_corpus, verbose=0)
    state = jobs.read_run(run_dir)
    assert state.status == "failed" and "disk is full" in state.progress["message"]
    assert [row["epoch"] for row in state.history] == [1]


@pytest.mark.parametrize(
    "metadata",
    [{"context_length": "abc"}, {"context_length": 60, "validation": {"bits_per_char": "x"}}],
)
def test_bad_metadata_lists_the_model_as_unusable(app_env, metadata, monkeypatch):
    bad = app_env / "broken"
    shutil.copytree(app_env / "tiny-model", bad)
    atomic.write_json(bad / "metadata.json", metadata)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "broken" not in at.selectbox(key="model").options
    assert any("broken" in c.value and "cannot be used" in c.value for c in at.caption)


def test_unloadable_model_then_good_model_keeps_the_session(app_env):
    bad = app_env / "aa-truncated"
    shutil.copytree(app_env / "tiny-model", bad)
    data = (bad / "model.keras").read_bytes()
    (bad / "model.keras").write_bytes(data[: len(data) // 2])
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["model"] = "aa-truncated"
    at.run()
    assert any("cannot be loaded" in e.value for e in at.error)
    at.selectbox(key="model").set_value("tiny-model").run()
    assert not at.exception, [e.value for e in at.exception]
    at.slider(key="temperature").set_value(1.2).run()
    assert not at.exception


def test_link_notices_cannot_inject_links_or_images(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(
        {
            "model": "[Session expired](https://evil.example)",
            "lang": "![x](https://evil.example/p.png)",
        }
    )
    at.run()
    for warning in at.warning:
        assert "](" not in warning.value.replace("\\]\\(", "")
        assert "\\[" in warning.value or "\\!" in warning.value


def test_blank_line_in_seed_text_stays_inside_the_text_box(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_area(key="seed_text").input("the end\n\n**bold** [link](x)").run()
    html = next(m.value for m in at.markdown if 'class="charlm-text"' in m.value)
    assert "\n" not in html and "<strong>" not in html


def test_link_top_k_beyond_the_alphabet_says_the_value_used(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["k"] = "1000"
    at.run()
    size = at.number_input(key="top_k").value
    assert 0 < size < 1000
    assert any(f"using {size}" in i.value for i in at.info)
    assert not any("using 200" in w.value for w in at.warning)


def test_unusable_settings_are_said_not_crashed_on(app_env, monkeypatch):
    monkeypatch.setenv("CHARLM_MAX_EPOCHS", "-3")
    monkeypatch.setenv("CHARLM_TRAINING", "nope")
    at = browser(monkeypatch, OWNER)
    said = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "CHARLM_MAX_EPOCHS=-3" in said and "CHARLM_TRAINING='nope'" in said
    assert any("switched off" in i.value for i in at.info)  # an unreadable switch means off


def test_a_stranger_guessing_never_locks_the_teacher_out(app_env, isolated_runs, monkeypatch,
                                                         caplog):  # fmt: skip
    """Four tabs guessing five times each slow themselves down; the teacher's own browser is
    let in at once, and every wrong guess is logged without the guess (issue 19, item 6)."""
    import logging

    from charlm.ui import identity

    monkeypatch.setattr(identity, "_guesses", {})
    monkeypatch.setattr(identity, "FIRST_WAIT_SECONDS", 0.0)  # every guess lands, no waiting
    tabs = [browser(monkeypatch, f"guesser-{i}-token-cccccccccccccccccccc") for i in range(4)]
    with caplog.at_level(logging.WARNING, logger="charlm.teacher"):
        for tab in tabs:
            for n in range(5):
                tab.text_input(key="teacher_pass").input(f"guess-{n}").run()
                tab.button(key="teacher_unlock").click().run()
    assert sum("wrong teacher passphrase" in r.getMessage() for r in caplog.records) == 20
    assert not any("guess-" in r.getMessage() for r in caplog.records)
    teacher = browser(monkeypatch, OWNER)
    teacher.text_input(key="teacher_pass").input("owl-lantern-42").run()
    teacher.button(key="teacher_unlock").click().run()
    assert any("Teacher mode" in s.value for s in teacher.success)


def test_wrong_guesses_make_the_same_browser_wait_longer(app_env, monkeypatch):
    from charlm.ui import identity

    monkeypatch.setattr(identity, "_guesses", {})
    clock = [1000.0]
    monkeypatch.setattr(identity.time, "monotonic", lambda: clock[0])
    guesser = browser(monkeypatch, STRANGER)
    waits = []
    for _ in range(4):
        guesser.text_input(key="teacher_pass").input("guess").run()
        guesser.button(key="teacher_unlock").click().run()
        record = identity._guesses[ownership.owner_id(STRANGER)]
        waits.append(record.wait(clock[0]))
        clock[0] += waits[-1] - 0.5  # not quite long enough
        guesser.button(key="teacher_unlock").click().run()
        assert any("try again in 1 s" in e.value for e in guesser.error)
        clock[0] += 0.5
    assert waits == [1.0, 2.0, 4.0, 8.0]
    guesser.button(key="teacher_unlock").click().run()  # a fifth wrong guess: 16 s
    guesser.text_input(key="teacher_pass").input("owl-lantern-42").run()
    guesser.button(key="teacher_unlock").click().run()  # right, but this browser must wait
    assert any("16 s" in e.value for e in guesser.error)
    clock[0] += 16
    guesser.button(key="teacher_unlock").click().run()
    assert any("Teacher mode" in s.value for s in guesser.success)


@pytest.mark.parametrize("given", [" ", "short"])
def test_a_weak_passphrase_is_refused_and_the_page_says_why(app_env, monkeypatch, given):
    monkeypatch.setenv("CHARLM_TEACHER_PASSPHRASE", given)
    at = browser(monkeypatch, STRANGER)
    assert "teacher_pass" not in {t.key for t in at.text_input}
    assert any("Teacher mode is off" in i.value for i in at.info)


@pytest.mark.parametrize("word", ["disabled", "nope"])
def test_a_secret_switch_is_read_like_the_variable(app_env, monkeypatch, word):
    """secrets.toml's training_enabled = "disabled" (or a word it cannot read) switches
    training off with the same notice as CHARLM_TRAINING (issue 19, item 7)."""
    from charlm.ui import identity

    monkeypatch.delenv("CHARLM_TRAINING", raising=False)
    monkeypatch.setattr(identity, "read_cookie", lambda: OWNER)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["training_enabled"] = word
    at.query_params.update({"view": "train"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    notices = " ".join(i.value for i in at.info).replace("\\", "")
    assert "switched off" in notices and "secret training_enabled" in notices
    assert "train_form" not in {f.key for f in at.get("form")} or not at.button
    if word == "nope":
        assert any(
            "secret training_enabled='nope'" in w.value.replace("\\", "") for w in at.warning
        )
