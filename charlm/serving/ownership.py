"""Who a training run belongs to and who may see or control it. No Streamlit here.

A run's record (charlm.serving.registry) holds its access: the owner (a hash of the browser's
secret token, never the token itself), whether the run is private (trained on uploaded text),
published, pinned, and when it was requested. The owner and the teacher control a run; everyone
else only watches public ones. A share link carries no token, so it never grants control.

Privacy fails closed: a run whose access cannot be read, or that holds uploaded text but has no
record, is seen by the teacher only. A folder with neither a record nor uploaded text is a
command-line run: nobody's, and public.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from charlm.common import atomic
from charlm.serving import registry

ACCESS_FILE = "access.json"  # where access lived before the registry; still read
UPLOADED_TEXT = "corpus.txt"  # an uploaded corpus, kept inside its run folder
TOKEN_BYTES = 24


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_token(value: object) -> bool:
    return (
        isinstance(value, str)
        and 20 <= len(value) <= 64
        and value.replace("-", "").replace("_", "").isalnum()
    )


def owner_id(token: str) -> str:
    """What is stored on disk: a hash, so reading runs/ never reveals a browser's token."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def passphrase_matches(given: str, expected: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class Viewer:
    """The person looking at the page: their owner id (None if unknown) and teacher rights."""

    owner: str | None
    teacher: bool = False


@dataclass(frozen=True)
class Access:
    owner: str | None
    private: bool = False
    published: bool = False
    pinned: bool = False
    requested: float = 0.0

    def can_see(self, viewer: Viewer) -> bool:
        return not self.private or self.published or self.can_control(viewer)

    def can_control(self, viewer: Viewer) -> bool:
        return viewer.teacher or (viewer.owner is not None and viewer.owner == self.owner)


# What an unreadable or missing access record reads as: nobody's, seen by the teacher only.
SEALED = Access(owner=None, private=True)


def read_access(run_dir: Path) -> Access:
    """The run's access from its record; SEALED when that cannot be read (never raises)."""
    run_dir = Path(run_dir)
    try:
        record = registry.record(run_dir.parent, run_dir.name)
    except registry.RegistryError:
        return SEALED
    if record is not None:
        return Access(
            record.owner, record.private, record.published, record.pinned, record.requested
        )
    if (run_dir / ACCESS_FILE).exists():
        return _legacy_access(run_dir / ACCESS_FILE)
    if (run_dir / UPLOADED_TEXT).exists():
        return SEALED  # uploaded text whose record is gone: it was private
    return Access(owner=None)  # a command-line run


def _legacy_access(path: Path) -> Access:
    raw = atomic.read_json(path, default=None)
    if not isinstance(raw, dict):
        return SEALED
    owner = raw.get("owner")
    return Access(
        owner=owner if isinstance(owner, str) else None,
        private=raw.get("private") is True,
        published=raw.get("published") is True,
        pinned=raw.get("pinned") is True,
        requested=float(raw["requested"]) if isinstance(raw.get("requested"), (int, float)) else 0,
    )


def write_access(run_dir: Path, access: Access) -> None:
    """Record `access` for the run (raises registry.RegistryError, an OSError)."""
    run_dir = Path(run_dir)
    registry.put_access(run_dir.parent, run_dir.name, **asdict(access))


def new_access(owner: str | None, private: bool) -> Access:
    return Access(owner=owner, private=private, requested=time.time())


def update_access(run_dir: Path, **changes) -> Access:
    current = read_access(run_dir)
    updated = Access(**{**asdict(current), **changes})
    write_access(run_dir, updated)
    return updated
