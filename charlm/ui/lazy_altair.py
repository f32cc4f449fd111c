"""Altair, imported on first use instead of at start-up.

Altair (with jsonschema and its Vega-Lite schema) adds 26-37 MB to the server's memory
(`python -c "import streamlit, pandas, pyarrow, altair"`: 123 -> 149 MB; with its schema
validated, 160 MB), and the page needs it only for the opt-in panels (pipeline, Draw 100, the
class's results): every other chart's template ships prebuilt (chart_templates.json). `alt.X`
imports Altair under Python's import lock on the first attribute read, so two script threads
may touch it at once.
"""

from __future__ import annotations

import importlib


class _LazyAltair:
    def __getattr__(self, name: str):
        return getattr(importlib.import_module("altair"), name)


alt = _LazyAltair()
