"""Limits that keep a shared deployment healthy: the disk budget of runs/, and removing a run
safely while other server processes work in the same folder. No Streamlit here.
(How often one person may ask for a run is checked at admission, in run_queue.)"""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

from filelock import Timeout

from charlm.serving import ownership, registry
from charlm.training import runfiles
from charlm.training.train import trainer_alive, trainer_lock


def folder_bytes(path: Path) -> int:
    """Bytes in a folder's files; 0 for what vanishes meanwhile (another process may remove it)."""
    total = 0
    for folder, _, files in os.walk(path):  # os.walk skips folders that vanish
        for name in files:
            try:
                item = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            if stat.S_ISREG(item.st_mode):
                total += item.st_size
    return total


def run_folders(runs_dir: Path) -> list[Path]:
    return [
        p
        for p in Path(runs_dir).iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name != "uploads"
    ]


def trim_to_budget(runs_dir: Path, budget_mb: float, keep=()) -> list[str]:
    """Remove the oldest finished, unpinned runs until runs/ fits `budget_mb`; returns the
    names removed. Runs being made, queued, started, training or pinned, and those named in
    `keep`, are never removed: each removal is claimed in the run records first, in the same
    transaction that checks the run's state, so a request in another process cannot lose it."""
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        return []
    sizes = {p: folder_bytes(p) for p in run_folders(runs_dir)}
    total = sum(sizes.values())
    budget = budget_mb * 1024 * 1024
    if total <= budget:
        return []
    try:
        records = registry.records(runs_dir)
    except registry.RegistryError:
        return []  # what is protected cannot be known: remove nothing
    held = {r.name for r in records if r.state in PROTECTED_STATES or r.pinned}
    removable = []
    for path in sizes:
        status = runfiles.read_progress(path).get("status")
        if path.name in keep or path.name in held or status in runfiles.ACTIVE_STATUSES:
            continue  # (a killed run too: its owner may resume it); the claim checks again
        access = ownership.read_access(path)
        if not access.pinned:
            removable.append((access.requested or _mtime(path), path))
    removed = []
    for _, path in sorted(removable):
        if total <= budget:
            break
        if remove_run(path):
            total -= sizes[path]
            removed.append(path.name)
    return removed


def remove_run(run_dir: Path, even_pinned: bool = False) -> bool:
    """Delete a run folder unless it is being made, waits, trains or is pinned; True if it is
    gone. Its record says "deleting" meanwhile, so nothing queues it; the record goes with it."""
    run_dir = Path(run_dir)
    if not claim_for_removal(run_dir, even_pinned):
        return False
    lock = trainer_lock(run_dir)
    try:
        lock.acquire(timeout=0)  # a command-line trainer starting in it keeps it
    except Timeout:
        _unclaim(run_dir)
        return False
    except OSError:  # the folder is gone already
        pass
    else:
        try:
            shutil.rmtree(run_dir, ignore_errors=True)
        finally:
            lock.release()
    if run_dir.exists():
        return False  # left "deleting": seen by the teacher only, queued by nobody
    registry.forget(run_dir.parent, run_dir.name)
    return True


PROTECTED_STATES = {"creating", "queued"}
LAUNCH_GRACE_S = 60.0  # a started run's trainer takes the run's lock within this


def claim_for_removal(run_dir: Path, even_pinned: bool = False) -> bool:
    """Mark the run "deleting" if nothing holds it; False (nothing changed) if something does."""
    run_dir = Path(run_dir)
    access = ownership.read_access(run_dir)  # outside: it may read a legacy file
    with registry.write(run_dir.parent) as conn:
        current = registry.get(conn, run_dir.name)
        if current is None:
            if access.pinned and not even_pinned:
                return False
            registry.insert(
                conn, run_dir.name, access.owner, access.private, access.requested, "deleting"
            )
            return True
        starting = current.state == "started" and time.time() - current.changed < LAUNCH_GRACE_S
        pinned = current.pinned and not even_pinned
        # A claim left by a removal that failed half-way may be tried again after a while.
        deleting = current.state == "deleting" and time.time() - current.changed < LAUNCH_GRACE_S
        if current.state in PROTECTED_STATES or deleting or pinned or starting:
            return False
        if trainer_alive(run_dir):
            return False
        registry.set_state(conn, run_dir.name, "deleting")
        return True


def _unclaim(run_dir: Path) -> None:
    """Undo a claim that could not be carried out."""
    with registry.write(run_dir.parent) as conn:
        current = registry.get(conn, run_dir.name)
        if current is not None and current.state == "deleting":
            registry.set_state(conn, run_dir.name, "ended")


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
