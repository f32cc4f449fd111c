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
    results.add_vote("s1", "reads-best", browser, 0.5, model="m")
    with sqlite3.connect(tmp_path / "c.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        columns = {row[1] for row in conn.execute("PRAGMA table_info(votes)")}
    assert columns == {"submission", "poll", "browser", "choice_t", "at", "model"}


def test_a_resent_submission_or_a_second_answer_is_stored_once(tmp_path):
    results = ClassResults(tmp_path / "c.sqlite3")
    assert results.add_guess("g1", "self-7", "b1", 0.5, 1.0, model="m")
    assert not results.add_guess("g1", "self-7", "b1", 0.5, 1.0, model="m")  # the click resent
    assert not results.add_guess("g2", "self-7", "b1", 0.5, 0.2, model="m")  # same round again
    assert results.add_guess("g3", "self-8", "b1", 1.5, 1.5, model="m")
    assert results.add_vote("v1", "reads-best", "b1", 0.5, model="m")
    assert not results.add_vote("v2", "reads-best", "b1", 1.2, model="m")  # the first stands
    assert results.counts() == (2, 1)
    assert results.vote_of("reads-best", "b1", model="m") == 0.5
    assert results.vote_of("reads-best", "b1", model="other") is None
    assert results.guesses_of("b1") == [("self-7", 0.5, 1.0), ("self-8", 1.5, 1.5)]
    summary = results.summary()
    assert summary.guesses == {(0.5, 1.0): 1, (1.5, 1.5): 1} and summary.votes == {0.5: 1}
    assert results.summary(round_key="self-8").guesses == {(1.5, 1.5): 1}


def test_csv_export_and_clear(tmp_path):
    results = ClassResults(tmp_path / "c.sqlite3")
    results.add_guess("g1", "self-1", "b1", 0.2, 0.5, model="nietzsche-seed")
    results.add_vote("v1", "reads-best", "b2", 1.0, model="nietzsche-best")
    frame = pd.read_csv(io.BytesIO(results.export_csv()))
    assert list(frame.columns) == [
        *("kind", "round_or_poll", "model", "browser", "true_t", "chosen_t", "at")
    ]
    assert sorted(frame["kind"]) == ["guess", "vote"]
    assert list(frame["model"]) == ["nietzsche-seed", "nietzsche-best"]
    assert frame["at"].str.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    results.start_round(1.0, 3, "nietzsche-seed")
    results.clear()
    assert results.counts() == (0, 0) and results.latest_round() is None
    assert pd.read_csv(io.BytesIO(results.export_csv())).empty


def test_teacher_rounds_start_and_end_and_the_temperature_set_is_kept(tmp_path):
    results = ClassResults(tmp_path / "c.sqlite3")
    assert results.temperatures() == (0.2, 0.5, 1.0, 1.5)
    results.set_temperatures((0.3, 1.2))
    assert ClassResults(tmp_path / "c.sqlite3").temperatures() == (0.3, 1.2)
    first = results.start_round(0.5, 11, "m1")
    second = results.start_round(1.5, 12, "m2")  # ends the first
    latest = results.latest_round()
    assert latest.id == second.id != first.id and latest.open and latest.seed == 12
    assert latest.model == "m2" and latest == second
    results.end_round()
    assert not results.latest_round().open


def test_a_restart_keeps_them_another_process_reads_them(tmp_path):
    path = tmp_path / "c.sqlite3"
    results = ClassResults(path)
    results.add_guess("g1", "self-1", "b1", 0.2, 0.2, model="m")
    results.add_vote("v1", "reads-best", "b1", 0.5, model="m")
    del results
    code = (
        "import sys; from charlm.serving.class_results import ClassResults;"
        "r = ClassResults(sys.argv[1]); print(r.counts(), r.vote_of('reads-best', 'b1', model='m'))"
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
        results.add_guess(f"g-{who}-{i}", f"self-{i}", f"b{who}", 0.5, 1.0, model="m")
        results.add_vote(f"v-{who}-{i}", f"poll-{i}", f"b{who}", 0.5, model="m")
        results.add_vote(f"v-{who}-{i}", f"poll-{i}", f"b{who}", 0.5, model="m")  # resent


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


def test_answers_record_their_model_and_each_chart_counts_one_model_or_one_round(tmp_path):
    results = ClassResults(tmp_path / "c.sqlite3")
    round_ = results.start_round(1.0, 5, "m1")
    results.add_guess("g1", round_.key, "b1", 1.0, 1.0, model="m1")
    results.add_guess("g2", "self-9", "b1", 0.2, 0.5, model="m1")
    results.add_guess("g3", "self-9", "b2", 0.2, 1.5, model="m2")
    results.add_vote("v1", "reads-best", "b1", 0.5, model="m1")
    assert results.add_vote("v2", "reads-best", "b1", 1.0, model="m2")  # another model's texts
    assert not results.add_vote("v3", "reads-best", "b1", 1.2, model="m2")
    assert results.summary(round_key=round_.key).guesses == {(1.0, 1.0): 1}
    by_model = results.summary(model="m1")
    assert by_model.guesses == {(1.0, 1.0): 1, (0.2, 0.5): 1} and by_model.votes == {0.5: 1}
    assert results.summary(model="m2").votes == {1.0: 1}
    assert results.summary().votes == {0.5: 1, 1.0: 1}  # no model given: everything


def test_a_guess_for_an_ended_round_is_refused_even_when_another_process_ended_it(tmp_path):
    path = tmp_path / "c.sqlite3"
    results = ClassResults(path)
    round_ = results.start_round(0.5, 7, "m")
    assert results.add_guess("g1", round_.key, "b1", 0.5, 1.0, model="m")
    code = (
        "import sys; from charlm.serving.class_results import ClassResults;"
        "ClassResults(sys.argv[1]).end_round()"
    )  # the teacher's page, in another server process
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    with pytest.raises(class_results.RoundEnded) as ended:
        results.add_guess("g2", round_.key, "b2", 0.5, 0.2, model="m")
    assert ended.value.round_id == round_.id
    assert not results.add_guess("g1", round_.key, "b1", 0.5, 1.0, model="m")  # resent: stands
    assert results.counts() == (1, 0)
    results.clear()  # a round cleared away is no more open than an ended one
    with pytest.raises(class_results.RoundEnded):
        results.add_guess("g3", round_.key, "b3", 0.5, 0.2, model="m")
    assert results.add_guess("g4", "self-1", "b3", 0.5, 0.2, model="m")  # self-paced: any time


OLD_SCHEMA = """
CREATE TABLE guesses (submission TEXT PRIMARY KEY, round TEXT NOT NULL, browser TEXT NOT NULL,
    true_t REAL NOT NULL, guessed_t REAL NOT NULL, at REAL NOT NULL, UNIQUE (round, browser));
CREATE TABLE votes (submission TEXT PRIMARY KEY, poll TEXT NOT NULL, browser TEXT NOT NULL,
    choice_t REAL NOT NULL, at REAL NOT NULL, UNIQUE (poll, browser));
CREATE TABLE rounds (id INTEGER PRIMARY KEY AUTOINCREMENT, true_t REAL NOT NULL,
    seed INTEGER NOT NULL, started REAL NOT NULL, ended REAL);
CREATE TABLE options (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO guesses VALUES ('g0', 'teacher-1', 'b1', 0.5, 1.0, 1.0);
INSERT INTO votes VALUES ('v0', 'reads-best', 'b1', 0.5, 2.0);
INSERT INTO rounds (true_t, seed, started, ended) VALUES (0.5, 3, 0.5, 3.0);
"""


def test_a_file_from_before_models_were_recorded_opens_and_keeps_its_answers(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
    results = ClassResults(path)
    assert results.counts() == (1, 1) and results.vote_of("reads-best", "b1", model="") == 0.5
    assert results.latest_round().model is None and not results.latest_round().open
    frame = results.export_frame()
    assert list(frame["kind"]) == ["guess", "vote"] and list(frame["model"]) == ["", ""]
    assert results.add_vote("v1", "reads-best", "b1", 1.0, model="m")  # one vote per model now
    assert not results.add_vote("v2", "reads-best", "b1", 1.2, model="m")
    ClassResults(path)  # opening it again changes nothing
    assert results.counts() == (1, 2)


def test_a_self_paced_round_is_fixed_by_the_browser_and_its_number(tmp_path):
    temps = (0.2, 0.5, 1.0, 1.5)
    first = class_results.self_paced_round("b1", 1, temps)
    assert class_results.self_paced_round("b1", 1, temps) == first  # a reload: the same
    assert class_results.self_paced_round("b1", 1, reversed(temps)) == first
    rounds = {class_results.self_paced_round("b1", n, temps) for n in range(1, 41)}
    assert len({seed for seed, _ in rounds}) == 40 and {t for _, t in rounds} == set(temps)
    assert class_results.self_paced_round("b2", 1, temps) != first
    assert class_results.teacher_round_id("teacher-12") == 12
    assert class_results.teacher_round_id(class_results.self_round_key(12)) is None
