"""The class results file's tables (class_results.py reads and writes them), and what brings a
file written by an older charlm up to them. No Streamlit here."""

from __future__ import annotations

import contextlib

VOTES_TABLE = """
CREATE TABLE IF NOT EXISTS votes (
    submission TEXT PRIMARY KEY,
    poll TEXT NOT NULL,
    browser TEXT NOT NULL,
    choice_t REAL NOT NULL,
    at REAL NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    UNIQUE (poll, model, browser)
);
"""
OTHER_TABLES = """
CREATE TABLE IF NOT EXISTS guesses (
    submission TEXT PRIMARY KEY,
    round TEXT NOT NULL,
    browser TEXT NOT NULL,
    true_t REAL NOT NULL,
    guessed_t REAL NOT NULL,
    at REAL NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    UNIQUE (round, browser)
);
CREATE TABLE IF NOT EXISTS rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    true_t REAL NOT NULL,
    seed INTEGER NOT NULL,
    started REAL NOT NULL,
    ended REAL,
    model TEXT
);
CREATE TABLE IF NOT EXISTS options (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
SCHEMA = VOTES_TABLE + OTHER_TABLES


@contextlib.contextmanager
def transaction(conn):
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any exception): the write lock is taken at
    the start, so what the transaction reads stays true until it commits."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _columns(conn, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def add_model_columns(conn) -> None:
    """A file from before answers recorded their model still opens: guesses and rounds gain
    the column (empty, NULL for a round); votes are copied into the new table, whose one
    vote per browser counts per model. Under the write lock, so one process migrates."""
    with transaction(conn):
        if "model" not in _columns(conn, "guesses"):
            conn.execute("ALTER TABLE guesses ADD COLUMN model TEXT NOT NULL DEFAULT ''")
        if "model" not in _columns(conn, "rounds"):
            conn.execute("ALTER TABLE rounds ADD COLUMN model TEXT")
        if "model" not in _columns(conn, "votes"):
            conn.execute("ALTER TABLE votes RENAME TO votes_before_models")
            conn.execute(VOTES_TABLE)
            conn.execute(
                "INSERT INTO votes (submission, poll, browser, choice_t, at) "
                "SELECT submission, poll, browser, choice_t, at FROM votes_before_models"
            )
            conn.execute("DROP TABLE votes_before_models")
