"""Who is looking at the page: a secret token kept in a browser cookie (so a reload keeps
control of one's runs), and teacher rights unlocked with the passphrase.

The cookie is set by a tiny script on the first visit; its value never appears in the page
address, so a share link never grants control.
"""

from __future__ import annotations

import json

import streamlit as st

from charlm import ownership

COOKIE = "charlm_owner"
MAX_AGE_DAYS = 180


def read_cookie() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no browser connection (tests, bare mode)
        return None
    return value if ownership.is_token(value) else None


def viewer(teacher_passphrase: str | None) -> ownership.Viewer:
    """This session's Viewer; sets the cookie on a browser's first visit."""
    token = st.session_state.get("_owner_token") or read_cookie()
    if token is None:
        token = ownership.new_token()
        _set_cookie(token)
    st.session_state._owner_token = token
    teacher = bool(teacher_passphrase) and st.session_state.get("_teacher_ok") == teacher_passphrase
    return ownership.Viewer(owner=ownership.owner_id(token), teacher=teacher)


def unlock_teacher(given: str, teacher_passphrase: str | None) -> bool:
    if ownership.passphrase_matches(given, teacher_passphrase):
        st.session_state._teacher_ok = teacher_passphrase
        return True
    return False


def lock_teacher() -> None:
    st.session_state.pop("_teacher_ok", None)


def _set_cookie(token: str) -> None:
    cookie = f"{COOKIE}={token}; path=/; max-age={MAX_AGE_DAYS * 86400}; SameSite=Lax"
    try:
        secure = str(st.context.url or "").startswith("https:")
    except Exception:
        secure = False
    if secure:
        cookie += "; Secure"
    # The script is ours and holds only the token we made (never anything a visitor typed).
    st.html(
        f"<script>document.cookie = {json.dumps(cookie)};</script>", unsafe_allow_javascript=True
    )
