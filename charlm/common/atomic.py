"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_bytes(path: Path | str, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path | str, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path | str, payload: Any) -> None:
    write_text(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


# The largest JSON file read: run and model folders are untrusted input, and the biggest file
# written here (samples.json of a 1,000-epoch run) stays under 2 MB.
MAX_JSON_BYTES = 32 * 1024 * 1024


def read_json(path: Path | str, default: Any = None, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Read JSON; a missing, unreadable or oversized file gives `default` (callers poll these;
    the caller checks the shape)."""
    text = read_text(path, max_bytes)
    if text is None:
        return default
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return default


def read_text(path: Path | str, max_bytes: int) -> str | None:
    """A UTF-8 file's text, or None when it is missing, unreadable, not UTF-8, or larger than
    `max_bytes` (an untrusted file is never read whole before its size is known)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        return None
    if len(data) > max_bytes:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
