"""Who is looking at the page: a secret token kept in a browser cookie (so a reload keeps
control of one's runs), and teacher rights unlocked with the passphrase.

The cookie is set by a tiny script on the first visit; its value never appears in the page
address, so a share link never grants control.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass

import streamlit as st

from charlm.serving import ownership

COOKIE = "charlm_owner"
MAX_AGE_DAYS = 180


def read_cookie() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no browser connection (tests, bare mode)
        return None
    return value if ownership.is_token(value) else None


def viewer(teacher_passphrase: str | None) -> ownership.Viewer:
    """This session's Viewer; on a browser's first visit, a new token for store_new_token()."""
    token = st.session_state.get("_owner_token") or read_cookie()
    if token is None:
        token = ownership.new_token()
        st.session_state._cookie_to_set = token
    st.session_state._owner_token = token
    teacher = bool(teacher_passphrase) and st.session_state.get("_teacher_ok") == teacher_passphrase
    return ownership.Viewer(owner=ownership.owner_id(token), teacher=teacher)


# Guessing the passphrase: each wrong guess makes this browser (its cookie's owner id, or
# this page session when it has none) wait twice as long before the next, up to
# MAX_WAIT_SECONDS. There is no server-wide lockout: a stranger's guesses never keep the
# teacher, on another browser, out.
FIRST_WAIT_SECONDS = 1.0
MAX_WAIT_SECONDS = 300.0
FORGET_AFTER_SECONDS = 3600.0  # a browser's record of wrong guesses, an hour after the last
MAX_TRACKED = 10_000  # browsers remembered at once, so the table cannot grow without end
_log = logging.getLogger("charlm.teacher")


@dataclass
class _Guesses:
    wrong: int = 0
    last: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds until this browser may guess again (0: now)."""
        if not self.wrong:
            return 0.0
        pause = min(FIRST_WAIT_SECONDS * 2 ** (self.wrong - 1), MAX_WAIT_SECONDS)
        return max(self.last + pause - now, 0.0)


_guesses: dict[str, _Guesses] = {}
_guess_lock = threading.Lock()


def _guesser() -> str:
    """Whose guesses these are: the browser's owner id (a hash, never the token)."""
    token = st.session_state.get("_owner_token")
    if token:
        return ownership.owner_id(token)
    if "_guess_session" not in st.session_state:  # no token yet: this page session alone
        st.session_state._guess_session = f"session-{secrets.token_hex(8)}"
    return st.session_state._guess_session


def seconds_until_next_guess(now: float | None = None) -> float:
    now = time.monotonic() if now is None else now
    with _guess_lock:
        record = _guesses.get(_guesser())
        return record.wait(now) if record else 0.0


def unlock_teacher(given: str, teacher_passphrase: str | None) -> bool:
    """True (and teacher rights for this session) for the right passphrase, unless this
    browser must still wait after its own wrong guesses. A wrong guess is logged (never the
    guess itself) and doubles this browser's wait."""
    now = time.monotonic()
    who = _guesser()
    with _guess_lock:
        record = _guesses.get(who)
        if record and record.wait(now) > 0:
            return False
        if ownership.passphrase_matches(given, teacher_passphrase):
            _guesses.pop(who, None)
            st.session_state._teacher_ok = teacher_passphrase
            _log.info("teacher mode unlocked (browser %s)", who[:8])
            return True
        _forget_old(now)
        record = _guesses.setdefault(who, _Guesses())
        record.wrong, record.last = record.wrong + 1, now
        wrong = record.wrong
    _log.warning("wrong teacher passphrase (browser %s, %d wrong in a row)", who[:8], wrong)
    return False


def _forget_old(now: float) -> None:
    """Drop records an hour old; past MAX_TRACKED, the oldest go first."""
    for who in [w for w, r in _guesses.items() if now - r.last > FORGET_AFTER_SECONDS]:
        del _guesses[who]
    while len(_guesses) >= MAX_TRACKED:
        del _guesses[min(_guesses, key=lambda w: _guesses[w].last)]


def lock_teacher() -> None:
    st.session_state.pop("_teacher_ok", None)


def store_new_token() -> None:
    """On a browser's first visit, a script that stores its token in the cookie.

    Called last on the page: an element that is there on one run and not the next shifts
    every element after it, and the browser redraws them (a focused slider loses focus)."""
    token = st.session_state.pop("_cookie_to_set", None)
    if token:
        # The script is ours and holds only the token we made, never anything typed.
        st.html(_cookie_script(token), unsafe_allow_javascript=True)


def _cookie_script(token: str) -> str:
    cookie = f"{COOKIE}={token}; path=/; max-age={MAX_AGE_DAYS * 86400}; SameSite=Lax"
    try:
        secure = str(st.context.url or "").startswith("https:")
    except Exception:
        secure = False
    if secure:
        cookie += "; Secure"
    return f"<script>document.cookie = {json.dumps(cookie)};</script>"
