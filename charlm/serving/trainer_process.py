"""The trainer as a child process: its environment, its launch, and waiting for it to start.

Both the page's direct runs (jobs) and the queue's dispatcher (run_queue) start trainers here,
so neither needs the other to do it. No Streamlit and no TensorFlow here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from charlm.common.settings import PROJECT_ROOT, load_settings
from charlm.training import runfiles
from charlm.training.train import EXIT_BUSY, RunBusyError

# Popen handles of trainers this process started, polled so finished ones are reaped.
_children: list[subprocess.Popen] = []


def reap() -> None:
    for child in list(_children):
        if child.poll() is not None:
            _children.remove(child)


def trainer_environment(settings) -> dict[str, str]:
    """Thread caps TensorFlow reads at start-up, and the priority the trainer lowers itself to."""
    threads = str(max(1, settings.trainer_threads))
    return {
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "TF_NUM_INTRAOP_THREADS": threads,
        "TF_NUM_INTEROP_THREADS": "1",
        "OMP_NUM_THREADS": threads,
        "CHARLM_TRAINER_NICE": str(settings.trainer_nice),
        "CHARLM_TRAINER_IDLE": "1" if settings.trainer_idle else "0",
    }


def run_trainer(run_dir: Path, args: list[str]) -> subprocess.Popen:
    """Start `python -m charlm train --out run_dir ARGS` as a detached process logging to
    train.log (the dispatcher waits on it; the page only reads its files)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    log = open(run_dir / runfiles.LOG_FILE, "ab")  # noqa: SIM115 (the child owns it)
    env = {**os.environ, **trainer_environment(load_settings()), "PYTHONUNBUFFERED": "1"}
    # A new session: the run survives page reloads, closed tabs and a restarted server.
    child = subprocess.Popen(
        [sys.executable, "-m", "charlm", "train", f"--out={run_dir}", *list(args)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    _children.append(child)
    return child


def await_start(child: subprocess.Popen, run_dir: Path, timeout: float = 10.0) -> None:
    """Wait until the trainer owns the lock (progress.json exists) or refuses."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (run_dir / runfiles.PROGRESS_FILE).is_file():
            return
        code = child.poll()
        if code == EXIT_BUSY:
            raise RunBusyError("another training run is in progress")
        if code is not None:
            return  # failed before start: train.log says why
        time.sleep(0.05)
