"""First-in, first-out training requests, and the dispatcher that works through them.

A request is a file in runs/.queue/ named by its arrival time; the run folder already exists
(status "queued", access.json). The dispatcher is a detached process holding its own lock: it
starts the oldest request, waits for the trainer, stops it at the wall-clock cap, trims runs/ to
its disk budget, and goes on until the queue is empty, whether or not any page is open. If it
dies, the next request or page view starts another. No Streamlit and no TensorFlow here.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from charlm.common import atomic
from charlm.common.settings import PROJECT_ROOT
from charlm.serving.trainer_process import run_trainer
from charlm.training import runfiles
from charlm.training.train import lock_is_held

QUEUE_DIR = ".queue"
DISPATCHER_LOCK = ".dispatcher.lock"


class QueueFullError(RuntimeError):
    """The queue holds as many requests as it may."""


class AlreadyQueuedError(RuntimeError):
    """This person already has a request waiting."""


@dataclass(frozen=True)
class Request:
    path: Path  # the queue file
    run_dir: Path
    args: list[str]
    owner: str | None


def queue_dir(runs_dir: Path) -> Path:
    return Path(runs_dir) / QUEUE_DIR


def pending(runs_dir: Path) -> list[Request]:
    """Waiting requests, oldest first."""
    requests = []
    for path in sorted(queue_dir(runs_dir).glob("*.json")):
        raw = atomic.read_json(path, default=None)
        if not isinstance(raw, dict) or not isinstance(raw.get("args"), list):
            continue
        requests.append(
            Request(path, Path(runs_dir) / str(raw.get("run")), raw["args"], raw.get("owner"))
        )
    return requests


def position(runs_dir: Path, run_dir: Path) -> int | None:
    """1 for the next to start; None when the run is not waiting."""
    for index, request in enumerate(pending(runs_dir), start=1):
        if request.run_dir.name == Path(run_dir).name:
            return index
    return None


def enqueue(
    runs_dir: Path, run_dir: Path, args: list[str], owner: str | None, max_length: int
) -> int:
    """Add a request; returns its position. One waiting request per owner; a capped length."""
    waiting = pending(runs_dir)
    if owner is not None and any(r.owner == owner for r in waiting):
        raise AlreadyQueuedError("you already have a run waiting in the queue")
    if len(waiting) >= max_length:
        raise QueueFullError(f"the training queue is full ({max_length} runs waiting)")
    name = f"{time.time_ns()}-{Path(run_dir).name}.json"
    atomic.write_json(
        queue_dir(runs_dir) / name, {"run": Path(run_dir).name, "args": args, "owner": owner}
    )
    runfiles.update_progress(run_dir, status="queued")
    return len(waiting) + 1


def withdraw(runs_dir: Path, run_dir: Path) -> bool:
    """Remove a waiting request (its run becomes "cancelled"); False if it was not waiting."""
    for request in pending(runs_dir):
        if request.run_dir.name == Path(run_dir).name:
            request.path.unlink(missing_ok=True)
            runfiles.update_progress(run_dir, status="cancelled", message="withdrawn from queue")
            return True
    return False


def dispatcher_running(runs_dir: Path) -> bool:
    return lock_is_held(FileLock(str(Path(runs_dir) / DISPATCHER_LOCK)))


def ensure_dispatcher(runs_dir: Path) -> bool:
    """Start a dispatcher if requests wait and none runs; True if one was started."""
    if not pending(runs_dir) or dispatcher_running(runs_dir):
        return False
    Path(runs_dir).mkdir(parents=True, exist_ok=True)
    log = open(Path(runs_dir) / "dispatcher.log", "ab")  # noqa: SIM115 (the child owns it)
    subprocess.Popen(
        [sys.executable, "-m", "charlm", "dispatch", "--runs", str(runs_dir)],
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
            while requests := pending(runs_dir):
                request = requests[0]
                request.path.unlink(missing_ok=True)
                _run_one(request, max_seconds, poll)
                ran += 1
                if after_each is not None:
                    after_each()
        finally:
            lock.release()
    return ran


def _run_one(request: Request, max_seconds: float, poll: float) -> None:
    child = run_trainer(request.run_dir, request.args)
    deadline = time.monotonic() + max_seconds
    stopped_for_time = False
    while child.poll() is None:
        if not stopped_for_time and time.monotonic() > deadline:
            stopped_for_time = True
            child.send_signal(signal.SIGTERM)  # stops at the next batch, keeps finished epochs
        time.sleep(poll)
    if stopped_for_time:
        minutes = max_seconds / 60
        runfiles.update_progress(
            request.run_dir, message=f"stopped at the {minutes:g}-minute limit per run"
        )
