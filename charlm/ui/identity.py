"""Who is looking at the page: a secret token kept in a browser cookie (so a reload keeps
control of one's runs), and teacher rights unlocked with the passphrase.

The cookie is set by a tiny script on the first visit; its value never appears in the page
address, so a share link never grants control.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque

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


# Guessing the passphrase: a few tries per page session, and a cap on wrong guesses per minute
# for the whole server (a new tab does not buy new tries past it).
TRIES_PER_SESSION = 5
WRONG_PER_MINUTE = 20
_wrong_guesses: deque[float] = deque()
_guess_lock = threading.Lock()


def teacher_locked_out() -> bool:
    with _guess_lock:
        while _wrong_guesses and time.monotonic() - _wrong_guesses[0] > 60:
            _wrong_guesses.popleft()
        too_many = len(_wrong_guesses) >= WRONG_PER_MINUTE
    return too_many or st.session_state.get("_teacher_tries", 0) >= TRIES_PER_SESSION


def unlock_teacher(given: str, teacher_passphrase: str | None) -> bool:
    if teacher_locked_out():
        return False
    if ownership.passphrase_matches(given, teacher_passphrase):
        st.session_state._teacher_ok = teacher_passphrase
        return True
    st.session_state._teacher_tries = st.session_state.get("_teacher_tries", 0) + 1
    with _guess_lock:
        _wrong_guesses.append(time.monotonic())
    return False


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
