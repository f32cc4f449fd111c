"""Every string the page shows, one table per language in locales/<lang>.json.

A translator edits one file alone; tests/ui/test_strings.py checks every table has the same
keys and the same {placeholders} as English. Look up with `text(lang, key, **fmt)`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "ko": "한국어"}
LOCALES = Path(__file__).resolve().parent / "locales"


@cache
def table(lang: str) -> dict[str, str]:
    """The strings of one language, read once per process."""
    return json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


def text(lang: str, key: str, **fmt) -> str:
    """The string `key` in `lang` (English where `lang` is not offered), filled with `fmt`."""
    template = table(lang if lang in LANGUAGES else "en")[key]
    return template.format(**fmt) if fmt else template


def error_text(lang: str, exc: BaseException) -> str:
    """An error as safe Markdown in the page's language: a KeyedError through its key, with
    every text parameter escaped (a file name can hold Markdown); any other error as escaped
    English."""
    from charlm.common.messages import KeyedError
    from charlm.ui import safe

    strings = table(lang if lang in LANGUAGES else "en")
    if isinstance(exc, KeyedError) and exc.key in strings:
        params = {
            name: value if isinstance(value, (int, float)) else safe.markdown(value)
            for name, value in exc.params.items()
        }
        return strings[exc.key].format(**params)
    return safe.markdown(exc)


def status_label(lang: str, status: str) -> str:
    """A run's status in words; an unknown status reads as "unknown"."""
    strings = table(lang if lang in LANGUAGES else "en")
    return strings.get(f"status.{status}", strings["status.unknown"])
