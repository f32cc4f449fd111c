"""The run records and the training queue: one SQLite file in runs/, shared by every server process.

Several Streamlit processes may serve one class from the same runs/ folder. Admission to the
queue, the queue's order, eviction and a run's place in its life are each decided inside one
short `BEGIN IMMEDIATE` transaction, so two processes never both take the same place or delete
a run another is making. The run folders keep what the trainer writes (progress.json, history,
the model); the trainer never reads this file. No Streamlit and no TensorFlow here.

A record's `state`: creating (admitted, its folder being filled), queued, started (the
dispatcher launched its trainer), ended, deleting (eviction or deletion claimed it).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

DB_FILE = "charlm.sqlite3"
SETUP_LOCK = ".registry-setup.lock"
BUSY_TIMEOUT_MS = 15_000  # a writer waits this long for another's transaction (they take ms)

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    name TEXT PRIMARY KEY,          -- the run folder's name in runs/
    owner TEXT,                     -- owner id (a hash), NULL for nobody's
    private INTEGER NOT NULL DEFAULT 0,
    published INTEGER NOT NULL DEFAULT 0,
    pinned INTEGER NOT NULL DEFAULT 0,
    requested REAL NOT NULL,        -- when it was asked for (s since the epoch)
    state TEXT NOT NULL,
    changed REAL NOT NULL,          -- when `state` last changed
    launched REAL,                  -- when the dispatcher last started its trainer
    exit_code INTEGER               -- the trainer's, once the dispatcher saw it end
);
CREATE TABLE IF NOT EXISTS queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- arrival order
    run TEXT NOT NULL UNIQUE REFERENCES runs(name),
    requester TEXT,                 -- who asked (one waiting request each)
    args TEXT NOT NULL DEFAULT '[]',  -- the trainer's arguments, JSON
    ready INTEGER NOT NULL DEFAULT 0, -- 0 while its folder is being filled
    since REAL NOT NULL
);
"""


class RegistryError(OSError):
    """The run records cannot be read or written (a damaged or unwritable database file)."""


@dataclass(frozen=True)
class Record:
    name: str
    owner: str | None
    private: bool
    published: bool
    pinned: bool
    requested: float
    state: str
    changed: float
    launched: float | None
    exit_code: int | None


def db_path(runs_dir: Path) -> Path:
    return Path(runs_dir) / DB_FILE


def _connect(runs_dir: Path) -> sqlite3.Connection:
    path = db_path(runs_dir)
    # Switching a new file to WAL does not wait for a busy peer: set up one process at a time.
    with FileLock(str(Path(runs_dir) / SETUP_LOCK)):
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer
        conn.executescript(SCHEMA)
    # isolation_level=None: transactions are begun by hand (BEGIN IMMEDIATE takes the write
    # lock at once, so a check and the write after it see the same data).
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = NORMAL")  # durable at each checkpoint; safe in WAL
    return conn


# One open connection per database file and process, used by one thread at a time: closing
# the last connection checkpoints the log and syncs the disk, 10 ms each time (measured: 50
# requests 20 s with a connection per call, on this loaded 2-core machine).
KEEP_OPEN = 8
_open: OrderedDict[str, tuple[int, int, sqlite3.Connection, threading.Lock]] = OrderedDict()
_open_guard = threading.Lock()
_inherited: list[sqlite3.Connection] = []  # a forked parent's: never closed here


@contextmanager
def _connection(runs_dir: Path) -> Iterator[sqlite3.Connection]:
    key = str(db_path(runs_dir))
    with _open_guard:
        entry = _open.get(key)
        inode = os.stat(key).st_ino if os.path.exists(key) else None
        if entry is None or entry[0] != os.getpid() or entry[1] != inode:
            if entry is not None and entry[0] != os.getpid():
                _inherited.append(entry[2])
            conn = _connect(runs_dir)  # a file replaced under us (runs/ wiped) is opened anew
            entry = (os.getpid(), os.stat(key).st_ino, conn, threading.Lock())
            _open[key] = entry
        _open.move_to_end(key)
        while len(_open) > KEEP_OPEN:
            _open.popitem(last=False)  # closed when its last user lets go
    with entry[3]:
        yield entry[2]


def _unusable(runs_dir: Path, exc: Exception) -> RegistryError:
    return RegistryError(f"the run records in {db_path(runs_dir)} cannot be used ({exc})")


@contextmanager
def write(runs_dir: Path) -> Iterator[sqlite3.Connection]:
    """One check-and-write transaction; other processes' writers wait (busy timeout).
    Raises RegistryError when the file cannot be opened or written."""
    try:
        Path(runs_dir).mkdir(parents=True, exist_ok=True)
        session = _connection(runs_dir)
        conn = session.__enter__()
    except (OSError, sqlite3.Error) as exc:
        raise _unusable(runs_dir, exc) from None
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        _rollback(conn)
        raise _unusable(runs_dir, exc) from None
    except BaseException:
        _rollback(conn)
        raise
    finally:
        session.__exit__(None, None, None)


@contextmanager
def read(runs_dir: Path) -> Iterator[sqlite3.Connection | None]:
    """A consistent snapshot to read; None when no record was ever written (nothing created).
    Raises RegistryError when the file is there but unreadable."""
    if not db_path(runs_dir).is_file():
        yield None
        return
    try:
        session = _connection(runs_dir)
        conn = session.__enter__()
    except (OSError, sqlite3.Error) as exc:
        raise _unusable(runs_dir, exc) from None
    try:
        conn.execute("BEGIN")
        yield conn
    except sqlite3.Error as exc:
        raise _unusable(runs_dir, exc) from None
    finally:
        _rollback(conn)  # a read changes nothing: ending it frees the snapshot
        session.__exit__(None, None, None)


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _record(row: sqlite3.Row) -> Record:
    return Record(
        name=row["name"],
        owner=row["owner"],
        private=bool(row["private"]),
        published=bool(row["published"]),
        pinned=bool(row["pinned"]),
        requested=float(row["requested"]),
        state=row["state"],
        changed=float(row["changed"]),
        launched=row["launched"],
        exit_code=row["exit_code"],
    )


def get(conn: sqlite3.Connection | None, name: str) -> Record | None:
    if conn is None:
        return None
    row = conn.execute("SELECT * FROM runs WHERE name = ?", (name,)).fetchone()
    return _record(row) if row else None


def record(runs_dir: Path, name: str) -> Record | None:
    """The record of run `name`, or None if it has none. Raises RegistryError."""
    with read(runs_dir) as conn:
        return get(conn, name)


def records(runs_dir: Path) -> list[Record]:
    with read(runs_dir) as conn:
        if conn is None:
            return []
        return [_record(row) for row in conn.execute("SELECT * FROM runs ORDER BY requested")]


def insert(conn: sqlite3.Connection, name: str, owner, private, requested, state, **flags) -> None:
    conn.execute(
        "INSERT INTO runs (name, owner, private, published, pinned, requested, state, changed)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            name,
            owner,
            int(bool(private)),
            int(bool(flags.get("published"))),
            int(bool(flags.get("pinned"))),
            requested,
            state,
            time.time(),
        ),
    )


def set_state(conn: sqlite3.Connection, name: str, state: str, exit_code=None) -> None:
    now = time.time()
    conn.execute(
        "UPDATE runs SET state = ?, changed = ?, exit_code = ?,"
        " launched = CASE WHEN ? = 'started' THEN ? ELSE launched END WHERE name = ?",
        (state, now, exit_code, state, now, name),
    )


def put_access(runs_dir: Path, name: str, owner, private, published, pinned, requested) -> None:
    """Write a run's access fields, making its record if it has none (state "ended")."""
    with write(runs_dir) as conn:
        if get(conn, name) is None:
            insert(conn, name, owner, private, requested, "ended")
        conn.execute(
            "UPDATE runs SET owner = ?, private = ?, published = ?, pinned = ?, requested = ?"
            " WHERE name = ?",
            (owner, int(private), int(published), int(pinned), requested, name),
        )


def forget(runs_dir: Path, name: str) -> None:
    """Drop a run's record and any request of it (its folder is gone)."""
    with write(runs_dir) as conn:
        conn.execute("DELETE FROM queue WHERE run = ?", (name,))
        conn.execute("DELETE FROM runs WHERE name = ?", (name,))
