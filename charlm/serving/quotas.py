"""Limits that keep a shared deployment healthy: disk budget for runs/, how often one person
may start runs. No Streamlit here."""

from __future__ import annotations

import shutil
from pathlib import Path

from charlm.serving import ownership
from charlm.training import runfiles


def folder_bytes(path: Path) -> int:
    total = 0
    for item in Path(path).rglob("*"):
        try:
            if item.is_file() and not item.is_symlink():
                total += item.stat().st_size
        except OSError:
            continue
    return total


def run_folders(runs_dir: Path) -> list[Path]:
    return [
        p
        for p in Path(runs_dir).iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name != "uploads"
    ]


def trim_to_budget(runs_dir: Path, budget_mb: float, keep=()) -> list[str]:
    """Remove the oldest finished, unpinned runs until runs/ fits `budget_mb`; returns the
    names removed. Active, queued and pinned runs, and those named in `keep`, are never removed."""
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        return []
    sizes = {p: folder_bytes(p) for p in run_folders(runs_dir)}
    total = sum(sizes.values())
    budget = budget_mb * 1024 * 1024
    removable = []
    for path in sizes:
        status = runfiles.read_progress(path).get("status")
        if status in runfiles.ACTIVE_STATUSES or status == "queued" or path.name in keep:
            continue
        access = ownership.read_access(path)
        if access.pinned:
            continue
        removable.append((access.requested or _mtime(path), path))
    removed = []
    for _, path in sorted(removable):
        if total <= budget:
            break
        shutil.rmtree(path, ignore_errors=True)
        total -= sizes[path]
        removed.append(path.name)
    return removed


def seconds_until_allowed(runs_dir: Path, owner: str | None, interval: float, now: float) -> float:
    """0 when `owner` may request a run now; else how long to wait (one request per
    `interval` seconds per person)."""
    if owner is None or interval <= 0 or not Path(runs_dir).is_dir():
        return 0.0
    latest = max(
        (
            a.requested
            for a in map(ownership.read_access, run_folders(runs_dir))
            if a.owner == owner
        ),
        default=0.0,
    )
    return max(0.0, latest + interval - now)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
