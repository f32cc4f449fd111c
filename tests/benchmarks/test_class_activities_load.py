"""`classroom_load.py --class-activities` against a real server: a few students, each a browser
with a cookie of its own, guess and vote at once through the page's websocket, and the check
finds every submission stored exactly once; the check itself catches what it must."""

import sqlite3
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))  # the benchmarks import each other by file name

import class_activities  # noqa: E402
import classroom_load  # noqa: E402


def test_four_students_guess_and_vote_at_once_and_each_is_stored_once(capsys, monkeypatch):
    monkeypatch.delenv("CHARLM_TEACHER_PASSPHRASE", raising=False)
    assert classroom_load.main(["--class-activities", "--users", "4"]) == 0
    out = capsys.readouterr().out
    assert "guesses  stored exactly once 4/4" in out and "teacher-1: 4" in out
    assert "votes    stored exactly once 4/4" in out and "reads-best: 4" in out
    assert "unknown ids 0" in out and "errors:" not in out
    for action in ("open", "guess", "activity", "vote"):
        assert any(line.split()[:2] == [action, "4"] and "0/4" in line for line in out.splitlines())


def fake_results(path: Path, guesses, votes) -> Path:
    """A results file without the page's uniqueness rules, so the check must catch a copy."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE guesses (browser, round, guessed_t)")
        conn.execute("CREATE TABLE votes (browser, poll, choice_t)")
        conn.executemany("INSERT INTO guesses VALUES (?, ?, ?)", guesses)
        conn.executemany("INSERT INTO votes VALUES (?, ?, ?)", votes)
    return path


def test_the_check_catches_lost_doubled_changed_and_foreign_submissions(tmp_path):
    logs = [class_activities.StudentLog(b, guessed=0.5, voted=1.0) for b in "abcd"]
    db = fake_results(
        tmp_path / "class.sqlite3",
        guesses=[("a", "r", 0.5), ("b", "r", 0.5), ("b", "r", 0.5), ("c", "r", 1.5)],
        votes=[("a", "p", 1.0), ("b", "p", 1.0), ("c", "p", 1.0), ("d", "p", 1.0), ("x", "p", 1)],
    )
    guesses, votes = class_activities.check_stored(db, logs)
    assert (guesses.missing, guesses.duplicated, guesses.wrong_value) == (["d"], ["b"], ["c"])
    assert guesses.exactly_once == 1 and guesses.per_round == {"r": 4} and not guesses.ok
    assert votes.strangers == ["x"] and votes.exactly_once == 4 and not votes.ok
    good = class_activities.check_stored(
        fake_results(tmp_path / "good.sqlite3", [("a", "r", 0.5)], [("a", "p", 1.0)]), logs[:1]
    )
    assert all(check.ok for check in good)


@pytest.fixture(autouse=True)
def _bundled_models(monkeypatch):
    """The bundled models (nothing to train): the page the class meets."""
    monkeypatch.delenv("CHARLM_ARTIFACTS", raising=False)
