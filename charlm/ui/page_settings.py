"""The page's settings: Streamlit secrets and CHARLM_* variables, read by settings.py's one
rule (a secret wins over the variable of the same setting)."""

from __future__ import annotations

import streamlit as st

from charlm.common.settings import Settings, load_settings


def page_secrets() -> dict:
    """The secrets.toml values, or none: Streamlit raises when there is no secrets file."""
    try:
        return st.secrets.to_dict()
    except Exception:
        return {}


def load() -> Settings:
    return load_settings(page_secrets())
