"""The Class view's results: temperature guesses, votes and teacher-led rounds, in one SQLite
file that every server process shares. No Streamlit here.

Only an anonymous per-browser id is stored (a hash of the browser's owner id, so the results
cannot be joined to run ownership), never a name. A submission is stored exactly once: each has
a unique id, and one browser has one guess per round and one vote per poll and model (the first
stands), so a resent click or a double submit changes nothing. Every answer records the model
whose text it was given on, and a teacher's round the model everyone reads; a guess for a round
that has ended is refused. WAL mode lets readers (the teacher's results panel) run beside a
writer; the busy timeout makes concurrent writers from several processes wait their turn
instead of failing.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from charlm.serving.class_schema import SCHEMA, add_model_columns, transaction

DB_NAME = "class.sqlite3"
BUSY_TIMEOUT_S = 10.0

GUESS_TEMPERATURES = (0.2, 0.5, 1.0, 1.5)  # the set a passage's hidden T is drawn from
TEACHER_PREFIX, SELF_PREFIX = "teacher-", "self-"  # round keys: teacher-<id>, self-<seed>


class RoundEnded(Exception):
    """A guess for a teacher's round that has ended (or was cleared away): it is not stored."""

    def __init__(self, round_id: int):
        super().__init__(f"round {round_id} has ended; a guess for it is not counted")
        self.round_id = round_id


def db_path(settings) -> Path:
    """CHARLM_CLASS_DB when set, else class.sqlite3 in the runs folder (a file there is never
    taken for a run: runs are folders)."""
    return Path(settings.class_db) if settings.class_db else Path(settings.runs_dir) / DB_NAME


def anonymous_id(owner: str | None) -> str:
    """The id stored for a browser: 16 hex digits of a hash of its owner id."""
    return hashlib.sha256(f"charlm-class:{owner}".encode()).hexdigest()[:16]


def self_paced_round(browser: str, number: int, temperatures) -> tuple[int, float]:
    """(passage seed, hidden T) of a browser's `number`th self-paced round: fixed by the two,
    so a reload shows the same passage until it is guessed (no reloading for an easy one)."""
    digest = hashlib.sha256(f"charlm-self-round:{browser}:{number}".encode()).digest()
    seed = int.from_bytes(digest[:8], "big") % (2**31 - 1)
    return seed, random.Random(seed).choice(sorted(temperatures))


def self_round_key(seed: int) -> str:
    return f"{SELF_PREFIX}{seed}"


def teacher_round_id(round_key: str) -> int | None:
    """The id in a teacher round's key ("teacher-3" -> 3); None for a self-paced key."""
    number = round_key[len(TEACHER_PREFIX) :] if round_key.startswith(TEACHER_PREFIX) else ""
    return int(number) if number.isdigit() else None


@dataclass(frozen=True)
class Round:
    """A teacher-led round of "Guess the temperature": everyone sees the passage of `seed`."""

    id: int
    true_t: float
    seed: int
    started: float
    ended: float | None
    model: str | None = None  # None: a round from before rounds recorded their model

    @property
    def key(self) -> str:
        return f"{TEACHER_PREFIX}{self.id}"

    @property
    def open(self) -> bool:
        return self.ended is None


@dataclass(frozen=True)
class Summary:
    """The class's results in one read: (true T, guessed T) -> count, and T -> votes."""

    guesses: dict[tuple[float, float], int]
    votes: dict[float, int]


class ClassResults:
    """One results file. Each call opens its own short connection, so an instance may be
    shared by threads, and any number of processes may open the same file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode=WAL")  # persistent: stored in the file
            conn.executescript(SCHEMA)
            add_model_columns(conn)

    @contextlib.contextmanager
    def _connection(self):
        # isolation_level=None: every statement commits on its own (each write is one INSERT).
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            # WAL + NORMAL: no fsync per commit; a commit survives a server crash or restart,
            # only a power cut may lose the last ones. 40 students at once on 2 busy cores
            # (benchmarks/class_votes.py): submission p95 1384 ms with FULL -> 114 ms.
            conn.execute("PRAGMA synchronous=NORMAL")
            yield conn
        finally:
            conn.close()

    # ---- writes -----------------------------------------------------------------------

    def add_guess(
        self,
        submission: str,
        round_key: str,
        browser: str,
        true_t: float,
        guessed_t: float,
        *,
        model: str,
    ) -> bool:
        """Store a guess on `model`'s passage; False when this submission, or a guess by this
        browser in this round, is already stored (nothing changes then). RoundEnded for a
        teacher's round that is no longer open, read in the transaction that would store the
        guess, so an end pressed in another process a moment before is seen."""
        round_id = teacher_round_id(round_key)
        with self._connection() as conn, transaction(conn):
            if round_id is not None and not _round_open(conn, round_id):
                if _guess_stored(conn, submission, round_key, browser):
                    return False  # a resent press of a guess that made it in time
                raise RoundEnded(round_id)
            cursor = conn.execute(
                "INSERT OR IGNORE INTO guesses "
                "(submission, round, browser, true_t, guessed_t, at, model) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (submission, round_key, browser, float(true_t), float(guessed_t), time.time(),
                 model),
            )  # fmt: skip
            return cursor.rowcount == 1

    def add_vote(
        self, submission: str, poll: str, browser: str, choice_t: float, *, model: str
    ) -> bool:
        """Store a vote among `model`'s texts; False when this submission or this browser's
        vote in `poll` on `model` is already stored (the first vote stands)."""
        with self._connection() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO votes (submission, poll, browser, choice_t, at, model) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (submission, poll, browser, float(choice_t), time.time(), model),
            )
            return cursor.rowcount == 1

    def start_round(self, true_t: float, seed: int, model: str) -> Round:
        """End any open round and start a new one, whose passage `model` writes for everyone."""
        now = time.time()
        with self._connection() as conn, transaction(conn):
            conn.execute("UPDATE rounds SET ended = ? WHERE ended IS NULL", (now,))
            cursor = conn.execute(
                "INSERT INTO rounds (true_t, seed, started, model) VALUES (?, ?, ?, ?)",
                (float(true_t), int(seed), now, model),
            )
            return Round(cursor.lastrowid, float(true_t), int(seed), now, None, model)

    def end_round(self) -> None:
        with self._connection() as conn:
            conn.execute("UPDATE rounds SET ended = ? WHERE ended IS NULL", (time.time(),))

    def set_temperatures(self, temperatures) -> None:
        """The teacher's set for "Guess the temperature" (kept across restarts)."""
        value = ",".join(f"{float(t):g}" for t in temperatures)
        with self._connection() as conn:
            conn.execute("INSERT OR REPLACE INTO options VALUES ('temperatures', ?)", (value,))

    def temperatures(self) -> tuple[float, ...]:
        """The set the hidden T is drawn from (GUESS_TEMPERATURES until the teacher sets one)."""
        with self._connection() as conn:
            row = conn.execute("SELECT value FROM options WHERE name = 'temperatures'").fetchone()
        return tuple(float(t) for t in row[0].split(",")) if row else GUESS_TEMPERATURES

    def clear(self) -> None:
        """Delete every guess, vote and round (the teacher's temperature set stays)."""
        with self._connection() as conn, transaction(conn):
            for table in ("guesses", "votes", "rounds"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)

    # ---- reads ------------------------------------------------------------------------

    def latest_round(self) -> Round | None:
        """The most recent teacher-led round (open or ended), or None."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT id, true_t, seed, started, ended, model FROM rounds "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
        return Round(*row) if row else None

    def guesses_of(self, browser: str) -> list[tuple[str, float, float]]:
        """(round, true T, guessed T) of one browser's guesses, oldest first."""
        with self._connection() as conn:
            return conn.execute(
                "SELECT round, true_t, guessed_t FROM guesses WHERE browser = ? ORDER BY at",
                (browser,),
            ).fetchall()

    def vote_of(self, poll: str, browser: str, *, model: str) -> float | None:
        """This browser's vote in `poll` among `model`'s texts, or None."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT choice_t FROM votes WHERE poll = ? AND browser = ? AND model = ?",
                (poll, browser, model),
            ).fetchone()
        return row[0] if row else None

    def summary(self, model: str | None = None, round_key: str | None = None) -> Summary:
        """Counts of every (true T, guessed T) pair and of every vote, on `model` when given;
        the guesses of one round only when `round_key` is given (a round has one model). One
        small query: what the teacher's panel reads every few seconds."""
        by_model = ("WHERE model = ?", (model,)) if model is not None else ("", ())
        guess_where, guess_args = ("WHERE round = ?", (round_key,)) if round_key else by_model
        vote_where, vote_args = by_model
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT 'g', true_t, guessed_t, COUNT(*) FROM guesses {guess_where} "  # noqa: S608
                "GROUP BY true_t, guessed_t UNION ALL "
                f"SELECT 'v', choice_t, NULL, COUNT(*) FROM votes {vote_where} GROUP BY choice_t",
                (*guess_args, *vote_args),
            ).fetchall()
        guesses = {(t, g): n for kind, t, g, n in rows if kind == "g"}
        votes = {t: n for kind, t, _, n in rows if kind == "v"}
        return Summary(guesses, votes)

    def counts(self) -> tuple[int, int]:
        """(guesses stored, votes stored)."""
        with self._connection() as conn:
            return conn.execute(
                "SELECT (SELECT COUNT(*) FROM guesses), (SELECT COUNT(*) FROM votes)"
            ).fetchone()

    def export_frame(self) -> pd.DataFrame:
        """Every guess and vote, one row each, oldest first: kind, round_or_poll, model (the
        model whose text it was given on; empty for answers stored before models were
        recorded), browser, true_t (guesses), chosen_t (the guessed or voted T), at (UTC,
        ISO 8601)."""
        with self._connection() as conn:
            frame = pd.read_sql_query(
                "SELECT 'guess' AS kind, round AS round_or_poll, model, browser, true_t, "
                "guessed_t AS chosen_t, at FROM guesses UNION ALL "
                "SELECT 'vote', poll, model, browser, NULL, choice_t, at FROM votes ORDER BY at",
                conn,
            )
        frame["at"] = pd.to_datetime(frame["at"], unit="s", utc=True).dt.strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        return frame

    def export_csv(self) -> bytes:
        """The CSV download: what the file holds when this is called (the page calls it when
        the teacher presses the button)."""
        return self.export_frame().to_csv(index=False).encode("utf-8")


def _round_open(conn, round_id: int) -> bool:
    row = conn.execute("SELECT ended FROM rounds WHERE id = ?", (round_id,)).fetchone()
    return row is not None and row[0] is None


def _guess_stored(conn, submission: str, round_key: str, browser: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM guesses WHERE submission = ? OR (round = ? AND browser = ?)",
            (submission, round_key, browser),
        ).fetchone()
        is not None
    )
