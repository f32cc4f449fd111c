"""Background runs as the Train button starts them (charlm.serving.jobs), and upload validation."""

import json
import os
import signal
import time

import pytest

from charlm.generation.artifacts import list_models
from charlm.serving import jobs
from charlm.training.train import RunBusyError, run_lock

TINY = ("--maxlen", "20", "--units", "16")


def wait_status(run_dir, wanted, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = jobs.read_run(run_dir)
        if state.status in wanted:
            return state
        time.sleep(0.1)
    raise AssertionError(
        f"status {jobs.read_run(run_dir).status}, wanted {wanted}: "
        f"{jobs.read_run(run_dir).log_tail()}"
    )


def test_run_completes_and_its_model_appears(isolated_runs, tiny_corpus):
    run_dir = jobs.start_run(isolated_runs, "seed", 1, tiny_corpus, "My Run!", extra_args=TINY)
    assert run_dir.name == "my-run"
    state = wait_status(run_dir, {"done", "failed"})
    assert state.status == "done", state.log_tail()
    assert state.history and state.samples and state.has_model
    assert "runs/my-run" in list_models(runs_dir=isolated_runs)


def test_second_start_is_refused_and_cancel_stops(isolated_runs, tiny_corpus):
    run_dir = jobs.start_run(
        isolated_runs,
        "fast",
        50,
        tiny_corpus,
        "long",
        extra_args=("--units", "64", "--seq-len", "40", "--batch-size", "4"),
    )
    wait_status(run_dir, {"running"})
    with pytest.raises(RunBusyError):
        jobs.start_run(isolated_runs, "seed", 1, tiny_corpus, "second")
    assert not (isolated_runs / "second").exists()
    assert jobs.cancel_run(run_dir)
    state = wait_status(run_dir, {"cancelled"})
    assert len(state.history) < 50


def test_killed_trainer_is_reported_interrupted_and_resumes(isolated_runs, tiny_corpus):
    run_dir = jobs.start_run(
        isolated_runs,
        "fast",
        3,
        tiny_corpus,
        "killed",
        extra_args=("--units", "64", "--seq-len", "40", "--batch-size", "4"),
    )
    wait_status(run_dir, {"running"})
    os.kill(jobs.read_run(run_dir).progress["pid"], signal.SIGKILL)
    state = wait_status(run_dir, {"interrupted"}, timeout=30)
    assert not state.active
    jobs.resume_run(run_dir)
    assert wait_status(run_dir, {"done", "failed"}).status == "done"
    assert [row["epoch"] for row in jobs.read_run(run_dir).history] == [1, 2, 3]


def test_bad_epochs_and_recipe_are_refused(isolated_runs):
    with pytest.raises(ValueError, match="epochs"):
        jobs.start_run(isolated_runs, "seed", 0)
    with pytest.raises(ValueError, match="epochs"):
        jobs.start_run(isolated_runs, "seed", 99, max_epochs=30)
    with pytest.raises(ValueError, match="recipe"):
        jobs.start_run(isolated_runs, "huge", 1)


def test_busy_lock_blocks_start(isolated_runs):
    lock = run_lock(isolated_runs)
    with lock:
        with pytest.raises(RunBusyError):
            jobs.start_run(isolated_runs, "seed", 1)


GOOD = ("word " * 3000).encode()


@pytest.mark.parametrize(
    "data, match",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x00\x01binary" * 2000, "binary"),
        ("é".encode("latin-1") * 20000, "not UTF-8"),
        (b"too short", "at least 10,000"),
        ("".join(chr(0x4E00 + i) for i in range(300)).encode() * 40, "300 distinct"),
        (b"x" * (2 * 1024 * 1024 + 1), "limit is 2 MB"),
        (b"a" * 20_000, "only 1 distinct"),
        (b"ab\r\n" * 5_000, "only 3 distinct"),
        ("plain words ".encode("utf-16-le") * 1000, "UTF-16 text without a byte order mark"),
    ],
)
def test_upload_cases_are_refused_with_a_reason(data, match):
    with pytest.raises(jobs.UploadError, match=match):
        jobs.validate_upload("mine.txt", data, max_mb=2, recipe="seed")


def test_a_large_alphabet_is_refused_by_the_seed_recipe_only():
    data = "".join(chr(0x4E00 + i) for i in range(300)).encode() * 40
    with pytest.raises(jobs.UploadError, match="300 distinct.*at most 200.*quick or fast"):
        jobs.validate_upload("mine.txt", data, max_mb=2, recipe="seed")
    for recipe in ("quick", "fast"):
        assert len(jobs.validate_upload("mine.txt", data, max_mb=2, recipe=recipe)) == 12_000


def test_good_upload_with_bom_is_accepted(isolated_runs):
    text = jobs.validate_upload("mine.txt", b"\xef\xbb\xbf" + GOOD, max_mb=2)
    assert text == GOOD.decode()
    path = jobs.save_upload(isolated_runs, "My Book.txt", text)
    assert path.read_text() == text and path.parent.name == "uploads"


@pytest.mark.parametrize(
    "upload, reason",
    [
        (None, "Choose a .txt file"),
        (("empty.txt", b""), "empty"),
        (("blob.txt", b"\x00" * 20000), "binary"),
        (("short.txt", b"a few words"), "at least 10,000"),
    ],
)
def test_train_button_with_a_bad_upload_starts_nothing(isolated_runs, upload, reason):
    from charlm.common.settings import load_settings
    from charlm.ui.train_panel import launch

    outcome, message = launch(load_settings(), "seed", 1, 16, "upload", upload, "", "en")
    assert outcome == "refused" and reason in message.replace("\\", "")  # Markdown-escaped
    assert jobs.list_runs(isolated_runs) == []
    assert not (isolated_runs / "uploads").exists()


def test_train_button_path_runs_an_uploaded_corpus_to_a_listed_model(isolated_runs, tiny_corpus):
    from charlm.common.settings import load_settings
    from charlm.ui.train_panel import launch

    upload = ("My Tiny Book.txt", tiny_corpus.read_bytes())
    outcome, message = launch(load_settings(), "seed", 1, 32, "upload", upload, "from button", "en")
    assert outcome == "ok", message
    run_dir = isolated_runs / "from-button"
    state = wait_status(run_dir, {"done", "failed"})
    assert state.status == "done", state.log_tail()
    run = json.loads((run_dir / "run.json").read_text())
    assert run["recipe"]["units"] == 32 and run["corpus"]["path"].endswith("from-button/corpus.txt")
    assert "runs/from-button" in list_models(runs_dir=isolated_runs)


def test_run_names_that_look_like_options_train_through_the_queue(
    isolated_runs, tiny_corpus, monkeypatch
):
    """A run named "--help" or "-x" is a name, never a trainer option (issue 19, item 4)."""
    from charlm.common.settings import load_settings

    monkeypatch.setenv("CHARLM_RUN_INTERVAL", "0")
    settings = load_settings()
    tiny = tuple(jobs.trainer_args(units=16, maxlen=20, corpus=tiny_corpus))
    runs = [
        jobs.request_run(settings, "seed", 1, None, name, owner, tiny)[0]
        for name, owner in (("--help", "a"), ("-x", "b"))
    ]
    for run_dir in runs:
        state = wait_status(run_dir, {"done", "failed", "cancelled"}, timeout=240)
        assert state.status == "done", state.log_tail()
    names = [json.loads((r / "run.json").read_text())["name"] for r in runs]
    assert names == ["--help", "-x"]


def test_trainer_args_keep_values_that_begin_with_a_dash():
    from charlm.cli import build_parser

    argv = ["train", "--out=runs/x", *jobs.trainer_args(name="--help", corpus="-x.txt")]
    args = build_parser().parse_args(argv)
    assert (args.name, args.corpus) == ("--help", "-x.txt")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_notepad_unicode_upload_is_read_with_unified_line_breaks(encoding):
    text = ("Line one of a text\r\n" * 700).encode(encoding)
    decoded = jobs.validate_upload("notepad.txt", text, max_mb=2)
    assert decoded == "Line one of a text\n" * 700


def test_upload_refusals_and_the_rate_limit_are_said_in_the_pages_language(
    isolated_runs, monkeypatch
):
    from charlm.common.settings import load_settings
    from charlm.ui.train_panel import launch

    settings = load_settings()
    bad = {
        "short.txt": b"a few words",
        "aaa.txt": b"a" * 20_000,
        "blob.txt": b"\x00\x01" * 20_000,
        "**b**.txt": b"",
    }
    for name, data in bad.items():
        outcome, message = launch(settings, "quick", 1, 0, "upload", (name, data), "", "ko")
        assert outcome == "refused" and "파일" in message, message
    assert "\\*\\*b\\*\\*" in message  # the file name stays literal Markdown
    monkeypatch.setenv("CHARLM_RUN_INTERVAL", "600")
    settings = load_settings()
    monkeypatch.setattr(jobs.run_queue, "ensure_dispatcher", lambda runs_dir: False)
    now = 1_000_000.0
    jobs.request_run(settings, "quick", 1, None, None, "someone", now=now)
    with pytest.raises(jobs.RateLimitError, match="try again in 42 s"):
        jobs.request_run(settings, "quick", 1, None, None, "someone", now=now + 558)
    from charlm.ui import strings

    refused = jobs.run_queue.RateLimitError("rate_limit", interval=600, wait=42.0)
    assert "42초 뒤에" in strings.error_text("ko", refused)
    for key in ("queue_full", "already_queued"):
        error = jobs.run_queue.QueueFullError(key, max_length=3)
        assert error.key in strings.table("ko") and "대기열" in strings.error_text("ko", error)


def test_keyed_errors_have_their_english_in_the_string_table():
    from charlm.ui import strings

    english = {**jobs.UploadError.ENGLISH, **jobs.run_queue.RequestRefused.ENGLISH}
    for key, template in english.items():
        assert strings.table("en")[key] == template and key in strings.table("ko")
