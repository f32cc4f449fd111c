"""The Class view's results: temperature guesses, votes and teacher-led rounds, in one SQLite
file that every server process shares. No Streamlit here.

Only an anonymous per-browser id is stored (a hash of the browser's owner id, so the results
cannot be joined to run ownership), never a name. A submission is stored exactly once: each has
a unique id, and one browser has one guess per round and one vote per poll (the first stands),
so a resent click or a double submit changes nothing. WAL mode lets readers (the teacher's
results panel) run beside a writer; the busy timeout makes concurrent writers from several
processes wait their turn instead of failing.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

DB_NAME = "class.sqlite3"
BUSY_TIMEOUT_S = 10.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS guesses (
    submission TEXT PRIMARY KEY,
    round TEXT NOT NULL,
    browser TEXT NOT NULL,
    true_t REAL NOT NULL,
    guessed_t REAL NOT NULL,
    at REAL NOT NULL,
    UNIQUE (round, browser)
);
CREATE TABLE IF NOT EXISTS votes (
    submission TEXT PRIMARY KEY,
    poll TEXT NOT NULL,
    browser TEXT NOT NULL,
    choice_t REAL NOT NULL,
    at REAL NOT NULL,
    UNIQUE (poll, browser)
);
CREATE TABLE IF NOT EXISTS rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    true_t REAL NOT NULL,
    seed INTEGER NOT NULL,
    started REAL NOT NULL,
    ended REAL
);
CREATE TABLE IF NOT EXISTS options (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
GUESS_TEMPERATURES = (0.2, 0.5, 1.0, 1.5)  # the set a passage's hidden T is drawn from


def db_path(settings) -> Path:
    """CHARLM_CLASS_DB when set, else class.sqlite3 in the runs folder (a file there is never
    taken for a run: runs are folders)."""
    return Path(settings.class_db) if settings.class_db else Path(settings.runs_dir) / DB_NAME


def anonymous_id(owner: str | None) -> str:
    """The id stored for a browser: 16 hex digits of a hash of its owner id."""
    return hashlib.sha256(f"charlm-class:{owner}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Round:
    """A teacher-led round of "Guess the temperature": everyone sees the passage of `seed`."""

    id: int
    true_t: float
    seed: int
    started: float
    ended: float | None

    @property
    def key(self) -> str:
        return f"teacher-{self.id}"

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
        self, submission: str, round_key: str, browser: str, true_t: float, guessed_t: float
    ) -> bool:
        """Store a guess; False when this submission, or a guess by this browser in this
        round, is already stored (nothing changes then)."""
        with self._connection() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO guesses VALUES (?, ?, ?, ?, ?, ?)",
                (submission, round_key, browser, float(true_t), float(guessed_t), time.time()),
            )
            return cursor.rowcount == 1

    def add_vote(self, submission: str, poll: str, browser: str, choice_t: float) -> bool:
        """Store a vote; False when this submission or this browser's vote in `poll` is
        already stored (the first vote stands)."""
        with self._connection() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO votes VALUES (?, ?, ?, ?, ?)",
                (submission, poll, browser, float(choice_t), time.time()),
            )
            return cursor.rowcount == 1

    def start_round(self, true_t: float, seed: int) -> Round:
        """End any open round and start a new one."""
        now = time.time()
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE rounds SET ended = ? WHERE ended IS NULL", (now,))
            cursor = conn.execute(
                "INSERT INTO rounds (true_t, seed, started) VALUES (?, ?, ?)",
                (float(true_t), int(seed), now),
            )
            conn.execute("COMMIT")
            return Round(cursor.lastrowid, float(true_t), int(seed), now, None)

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
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            for table in ("guesses", "votes", "rounds"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
            conn.execute("COMMIT")

    # ---- reads ------------------------------------------------------------------------

    def latest_round(self) -> Round | None:
        """The most recent teacher-led round (open or ended), or None."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT id, true_t, seed, started, ended FROM rounds ORDER BY id DESC LIMIT 1"
            ).fetchone()
        return Round(*row) if row else None

    def guesses_of(self, browser: str) -> list[tuple[str, float, float]]:
        """(round, true T, guessed T) of one browser's guesses, oldest first."""
        with self._connection() as conn:
            return conn.execute(
                "SELECT round, true_t, guessed_t FROM guesses WHERE browser = ? ORDER BY at",
                (browser,),
            ).fetchall()

    def vote_of(self, poll: str, browser: str) -> float | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT choice_t FROM votes WHERE poll = ? AND browser = ?", (poll, browser)
            ).fetchone()
        return row[0] if row else None

    def summary(self, round_key: str | None = None) -> Summary:
        """Counts of every (true T, guessed T) pair (of one round when given) and of every
        vote: one small query, what the teacher's panel reads every few seconds."""
        where, args = ("WHERE round = ?", (round_key,)) if round_key else ("", ())
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT 'g', true_t, guessed_t, COUNT(*) FROM guesses {where} "  # noqa: S608
                "GROUP BY true_t, guessed_t "
                "UNION ALL SELECT 'v', choice_t, NULL, COUNT(*) FROM votes GROUP BY choice_t",
                args,
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
        """Every guess and vote, one row each, oldest first: kind, round_or_poll, browser,
        true_t (guesses), chosen_t (the guessed or voted T), at (UTC, ISO 8601)."""
        with self._connection() as conn:
            frame = pd.read_sql_query(
                "SELECT 'guess' AS kind, round AS round_or_poll, browser, true_t, "
                "guessed_t AS chosen_t, at FROM guesses UNION ALL "
                "SELECT 'vote', poll, browser, NULL, choice_t, at FROM votes ORDER BY at",
                conn,
            )
        frame["at"] = pd.to_datetime(frame["at"], unit="s", utc=True).dt.strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        return frame

    def export_csv(self) -> bytes:
        return self.export_frame().to_csv(index=False).encode("utf-8")
