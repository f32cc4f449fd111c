"""chart_templates.json: every template chart of the page, built with Altair and validated
ahead of time (charlm/ui/chart_build.py), so that a server never imports Altair to draw them
(charlm/ui/lazy_altair.py). tests/ui/test_charts.py fails while it differs from a fresh build.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

PATH = Path(__file__).with_name("chart_templates.json")
_lock = threading.Lock()
_loaded: list[dict] = []


def shipped() -> dict[str, dict]:
    """ "kind/lang" -> template, read once per process ({} when the file is missing)."""
    with _lock:
        if not _loaded:
            try:
                _loaded.append(json.loads(PATH.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                _loaded.append({})
        return _loaded[0]


def key(kind: str, lang: str) -> str:
    return f"{kind}/{lang}"
