"""The Class view's results file: exactly once, kept across a restart, shared by processes."""

from __future__ import annotations

import io
import multiprocessing as mp
import sqlite3
import subprocess
import sys

import pandas as pd
import pytest

from charlm.common.settings import load_settings
from charlm.serving import class_results
from charlm.serving.class_results import ClassResults


def test_the_file_sits_in_runs_or_where_the_setting_says(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARLM_RUNS", str(tmp_path / "runs"))
    monkeypatch.delenv("CHARLM_CLASS_DB", raising=False)
    assert class_results.db_path(load_settings()) == tmp_path / "runs" / "class.sqlite3"
    monkeypatch.setenv("CHARLM_CLASS_DB", str(tmp_path / "data" / "lesson.db"))
    assert class_results.db_path(load_settings()) == tmp_path / "data" / "lesson.db"


def test_wal_mode_and_only_an_anonymous_id_is_stored(tmp_path):
    results = ClassResults(tmp_path / "c.sqlite3")
    browser = class_results.anonymous_id("owner-hash-of-a-run")
    assert len(browser) == 16 and "owner" not in browser
    results.add_vote("s1", "reads-best", browser, 0.5)
    with sqlite3.connect(tmp_path / "c.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        columns = {row[1] for row in conn.execute("PRAGMA table_info(votes)")}
    assert columns == {"submission", "poll", "browser", "choice_t", "at"}


def test_a_resent_submission_or_a_second_answer_is_stored_once(tmp_path):
    results = ClassResults(tmp_path / "c.sqlite3")
    assert results.add_guess("g1", "self-7", "b1", 0.5, 1.0)
    assert not results.add_guess("g1", "self-7", "b1", 0.5, 1.0)  # the same click resent
    assert not results.add_guess("g2", "self-7", "b1", 0.5, 0.2)  # a second guess, same round
    assert results.add_guess("g3", "self-8", "b1", 1.5, 1.5)
    assert results.add_vote("v1", "reads-best", "b1", 0.5)
    assert not results.add_vote("v2", "reads-best", "b1", 1.2)  # the first vote stands
    assert results.counts() == (2, 1)
    assert results.vote_of("reads-best", "b1") == 0.5
    assert results.guesses_of("b1") == [("self-7", 0.5, 1.0), ("self-8", 1.5, 1.5)]
    summary = results.summary()
    assert summary.guesses == {(0.5, 1.0): 1, (1.5, 1.5): 1} and summary.votes == {0.5: 1}
    assert results.summary("self-8").guesses == {(1.5, 1.5): 1}


def test_csv_export_and_clear(tmp_path):
    results = ClassResults(tmp_path / "c.sqlite3")
    results.add_guess("g1", "teacher-1", "b1", 0.2, 0.5)
    results.add_vote("v1", "reads-best", "b2", 1.0)
    frame = pd.read_csv(io.BytesIO(results.export_csv()))
    assert list(frame.columns) == ["kind", "round_or_poll", "browser", "true_t", "chosen_t", "at"]
    assert sorted(frame["kind"]) == ["guess", "vote"]
    assert frame["at"].str.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    results.start_round(1.0, 3)
    results.clear()
    assert results.counts() == (0, 0) and results.latest_round() is None
    assert pd.read_csv(io.BytesIO(results.export_csv())).empty


def test_teacher_rounds_start_and_end_and_the_temperature_set_is_kept(tmp_path):
    results = ClassResults(tmp_path / "c.sqlite3")
    assert results.temperatures() == (0.2, 0.5, 1.0, 1.5)
    results.set_temperatures((0.3, 1.2))
    assert ClassResults(tmp_path / "c.sqlite3").temperatures() == (0.3, 1.2)
    first = results.start_round(0.5, 11)
    second = results.start_round(1.5, 12)  # ends the first
    latest = results.latest_round()
    assert latest.id == second.id != first.id and latest.open and latest.seed == 12
    results.end_round()
    assert not results.latest_round().open


def test_a_restart_keeps_them_another_process_reads_them(tmp_path):
    path = tmp_path / "c.sqlite3"
    results = ClassResults(path)
    results.add_guess("g1", "self-1", "b1", 0.2, 0.2)
    results.add_vote("v1", "reads-best", "b1", 0.5)
    del results
    code = (
        "import sys; from charlm.serving.class_results import ClassResults;"
        "r = ClassResults(sys.argv[1]); print(r.counts(), r.vote_of('reads-best', 'b1'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "(1, 1) 0.5"


PER_PROCESS = 60


def _write_many(path, who: int, barrier) -> None:
    results = ClassResults(path)
    barrier.wait()
    for i in range(PER_PROCESS):
        results.add_guess(f"g-{who}-{i}", f"self-{i}", f"b{who}", 0.5, 1.0)
        results.add_vote(f"v-{who}-{i}", f"poll-{i}", f"b{who}", 0.5)
        results.add_vote(f"v-{who}-{i}", f"poll-{i}", f"b{who}", 0.5)  # resent: ignored


@pytest.mark.parametrize("processes", [2, 4])
def test_processes_writing_at_once_lose_nothing(tmp_path, processes):
    path = tmp_path / "c.sqlite3"
    ClassResults(path)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    workers = [
        ctx.Process(target=_write_many, args=(path, who, barrier)) for who in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    assert ClassResults(path).counts() == (processes * PER_PROCESS, processes * PER_PROCESS)
