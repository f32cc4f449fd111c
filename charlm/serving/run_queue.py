"""First-in, first-out training requests, and the dispatcher that works through them.

Requests live in the run records' database (registry): admission (rate, one waiting request
per person, the length cap, the run's name) is one transaction, so requests from several
server processes at once each get their own place. The dispatcher is a detached process
holding its own lock: it takes the oldest ready request, waits for the trainer, stops it at the
wall-clock cap, records how it ended, trims runs/ to its disk budget, and goes on until the
queue is empty, whether or not any page is open. If it dies, the next request or page view
starts another. No Streamlit and no TensorFlow here.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from charlm.common.messages import KeyedError
from charlm.common.settings import PROJECT_ROOT
from charlm.serving import ownership, registry
from charlm.serving.trainer_process import run_trainer
from charlm.training import runfiles
from charlm.training.train import lock_is_held

DISPATCHER_LOCK = ".dispatcher.lock"
CREATING_TIMEOUT_S = 120.0  # a request still being filled after this was abandoned by a crash


class RequestRefused(KeyedError, RuntimeError):
    """A training request that cannot be queued; the message says why, for the person (its
    key and parameters let the page say it in its own language)."""

    ENGLISH = {
        "queue_full": (
            "The training queue is full ({max_length} runs waiting). "
            "Try again when one has started."
        ),
        "already_queued": "You already have a run waiting in the queue.",
        "run_already_waiting": "This run is already waiting in the queue.",
        "rate_limit": "one run per {interval:g} s: try again in {wait:.0f} s",
        "request_dropped": "The request was dropped while its folder was being made; try again.",
        "run_being_deleted": "This run is being deleted.",
    }


class QueueFullError(RequestRefused):
    """The queue holds as many requests as it may."""


class AlreadyQueuedError(RequestRefused):
    """This person already has a request waiting (or the run itself is waiting)."""


class RateLimitError(RequestRefused):
    """This person started a run too recently."""


class RunGoneError(RequestRefused):
    """The run is being deleted, or its request was dropped, so it cannot be queued."""


@dataclass(frozen=True)
class Request:
    seq: int  # arrival order
    run_dir: Path
    args: list[str]
    owner: str | None  # who asked
    ready: bool = True  # False while its folder is being filled


def _request(runs_dir: Path, row) -> Request:
    run_dir, args = Path(runs_dir) / row["run"], json.loads(row["args"])
    return Request(row["seq"], run_dir, args, row["requester"], bool(row["ready"]))


def pending(runs_dir: Path) -> list[Request]:
    """Waiting requests, oldest first (those still being filled included)."""
    with registry.read(runs_dir) as conn:
        if conn is None:
            return []
        rows = conn.execute("SELECT * FROM queue ORDER BY seq").fetchall()
    return [_request(runs_dir, row) for row in rows]


def position(runs_dir: Path, run_dir: Path) -> int | None:
    """1 for the next to start; None when the run is not waiting."""
    with registry.read(runs_dir) as conn:
        return None if conn is None else _position(conn, Path(run_dir).name)


def _position(conn, name: str) -> int | None:
    row = conn.execute("SELECT seq FROM queue WHERE run = ?", (name,)).fetchone()
    if row is None:
        return None
    return conn.execute("SELECT COUNT(*) FROM queue WHERE seq <= ?", (row["seq"],)).fetchone()[0]


def _admit(conn, owner: str | None, max_length: int) -> None:
    """The checks every request passes, inside the caller's write transaction."""
    _drop_abandoned(conn)
    if (
        owner is not None
        and conn.execute("SELECT 1 FROM queue WHERE requester = ?", (owner,)).fetchone()
    ):
        raise AlreadyQueuedError("already_queued")
    if conn.execute("SELECT COUNT(*) FROM queue").fetchone()[0] >= max_length:
        raise QueueFullError("queue_full", max_length=max_length)


def _drop_abandoned(conn) -> None:
    """A request whose server process died while filling its folder holds no place for ever."""
    cutoff = time.time() - CREATING_TIMEOUT_S
    for row in conn.execute("SELECT run FROM queue WHERE ready = 0 AND since < ?", (cutoff,)):
        registry.set_state(conn, row["run"], "ended")
    conn.execute("DELETE FROM queue WHERE ready = 0 AND since < ?", (cutoff,))


def reserve(
    runs_dir: Path,
    base_name: str,
    owner: str | None,
    private: bool,
    max_length: int,
    interval_s: float,
    now: float,
) -> str:
    """Admit a new run and hold its place: returns its folder name (base_name, or base_name-N
    when taken). Its folder is then filled and `ready()` releases it to the dispatcher; until
    then eviction leaves it alone. Raises RateLimitError, AlreadyQueuedError, QueueFullError."""
    runs_dir = Path(runs_dir)
    with registry.write(runs_dir) as conn:
        if owner is not None and interval_s > 0:
            latest = conn.execute(
                "SELECT MAX(requested) FROM runs WHERE owner = ?", (owner,)
            ).fetchone()[0]
            wait = (latest or 0.0) + interval_s - now
            if wait > 0:
                raise RateLimitError("rate_limit", interval=interval_s, wait=wait)
        _admit(conn, owner, max_length)
        name, n = base_name, 2
        while registry.get(conn, name) is not None or (runs_dir / name).exists():
            name, n = f"{base_name}-{n}", n + 1
        registry.insert(conn, name, owner, private, now, "creating")
        conn.execute(
            "INSERT INTO queue (run, requester, since) VALUES (?, ?, ?)", (name, owner, now)
        )
    return name


def ready(runs_dir: Path, name: str, args: list[str]) -> int:
    """The reserved run's folder is complete: queue it with its trainer arguments; returns
    its place now (1 = next)."""
    with registry.write(runs_dir) as conn:
        conn.execute(
            "UPDATE queue SET ready = 1, args = ? WHERE run = ?", (json.dumps(list(args)), name)
        )
        registry.set_state(conn, name, "queued")
        place = _position(conn, name)
    if place is None:
        raise RunGoneError("request_dropped")
    return place


def release(runs_dir: Path, name: str) -> None:
    """Give back a reservation whose folder could not be made."""
    registry.forget(runs_dir, name)


def enqueue(
    runs_dir: Path, run_dir: Path, args: list[str], owner: str | None, max_length: int
) -> int:
    """Queue an existing run (to resume it); returns its position. One waiting request per
    person; a capped length; a run waits at most once; a run being deleted is refused."""
    name = Path(run_dir).name
    access = ownership.read_access(run_dir)  # outside: it may read access.json
    with registry.write(runs_dir) as conn:
        current = registry.get(conn, name)
        if current is not None and current.state == "deleting":
            raise RunGoneError("run_being_deleted")
        if conn.execute("SELECT 1 FROM queue WHERE run = ?", (name,)).fetchone():
            raise AlreadyQueuedError("run_already_waiting")
        _admit(conn, owner, max_length)
        if current is None:  # a command-line run, or one from before the records
            registry.insert(
                conn, name, access.owner, access.private, access.requested or time.time(),
                "queued", published=access.published, pinned=access.pinned,
            )  # fmt: skip
        registry.set_state(conn, name, "queued")
        conn.execute(
            "INSERT INTO queue (run, requester, args, ready, since) VALUES (?, ?, ?, 1, ?)",
            (name, owner, json.dumps(list(args)), time.time()),
        )
        return _position(conn, name)


def withdraw(runs_dir: Path, run_dir: Path) -> bool:
    """Remove a waiting request (its run becomes "cancelled"); False if it was not waiting."""
    name = Path(run_dir).name
    with registry.write(runs_dir) as conn:
        if conn.execute("DELETE FROM queue WHERE run = ? AND ready = 1", (name,)).rowcount == 0:
            return False
        registry.set_state(conn, name, "ended")
    # No trainer of this run can be writing: it never left the queue.
    runfiles.update_progress(run_dir, status="cancelled", message="withdrawn from queue")
    return True


def take_next(runs_dir: Path) -> Request | None:
    """Take the oldest ready request off the queue and mark its run started."""
    with registry.write(runs_dir) as conn:
        _drop_abandoned(conn)
        row = conn.execute("SELECT * FROM queue WHERE ready = 1 ORDER BY seq LIMIT 1").fetchone()
        if row is None:
            return None
        conn.execute("DELETE FROM queue WHERE seq = ?", (row["seq"],))
        registry.set_state(conn, row["run"], "started")
    return _request(runs_dir, row)


def finish(runs_dir: Path, run_dir: Path, exit_code: int | None) -> None:
    """The dispatcher saw the run's trainer end."""
    with registry.write(runs_dir) as conn:
        current = registry.get(conn, Path(run_dir).name)
        if current is not None and current.state == "started":
            registry.set_state(conn, current.name, "ended", exit_code)


def dispatcher_running(runs_dir: Path) -> bool:
    return lock_is_held(FileLock(str(Path(runs_dir) / DISPATCHER_LOCK)))


def ensure_dispatcher(runs_dir: Path) -> bool:
    """Start a dispatcher if requests wait and none runs; True if one was started."""
    if not pending(runs_dir) or dispatcher_running(runs_dir):
        return False
    Path(runs_dir).mkdir(parents=True, exist_ok=True)
    log = open(Path(runs_dir) / "dispatcher.log", "ab")  # noqa: SIM115 (the child owns it)
    subprocess.Popen(
        [sys.executable, "-m", "charlm", "dispatch", f"--runs={runs_dir}"],
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # outlives the page's server
    )
    log.close()
    return True


def dispatch(runs_dir: Path, max_seconds: float, after_each=None, poll: float = 0.5) -> int:
    """Run queued requests one after another until none is left; returns how many ran.

    The queue is looked at again after the lock is released: a request that arrived while
    this dispatcher was finishing saw it still running and started no other."""
    ran = 0
    lock = FileLock(str(Path(runs_dir) / DISPATCHER_LOCK))
    while pending(runs_dir):
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return ran  # another dispatcher is at work
        try:
            while (request := take_next(runs_dir)) is not None:
                _run_one(runs_dir, request, max_seconds, poll)
                ran += 1
                if after_each is not None:
                    after_each()
        finally:
            lock.release()
        if not any(r.ready for r in pending(runs_dir)):
            time.sleep(poll)  # only requests still being filled: ready within ms
    return ran


def _run_one(runs_dir: Path, request: Request, max_seconds: float, poll: float) -> None:
    child = run_trainer(request.run_dir, request.args)
    deadline = time.monotonic() + max_seconds
    stopped_for_time = False
    while child.poll() is None:
        if not stopped_for_time and time.monotonic() > deadline:
            stopped_for_time = True
            child.send_signal(signal.SIGTERM)  # stops at the next batch, keeps finished epochs
        time.sleep(poll)
    finish(runs_dir, request.run_dir, child.returncode)
    if stopped_for_time:
        minutes = max_seconds / 60
        runfiles.update_progress(
            request.run_dir, message=f"stopped at the {minutes:g}-minute limit per run"
        )
