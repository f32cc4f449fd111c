"""The shape of records read back from run and model folders (history, samples, progress):
those files are untrusted input, so a row of the wrong shape is dropped, never crashed on."""

from __future__ import annotations

from typing import Any

NUMBER = "number"  # int or float (NaN too: a diverged run logs it), not bool
OPTIONAL_NUMBER = "number or null"


def fits(value: Any, kind) -> bool:
    """Whether `value` has `kind`: a type, a tuple of types, NUMBER or OPTIONAL_NUMBER."""
    if kind == OPTIONAL_NUMBER:
        return value is None or fits(value, NUMBER)
    if kind == NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def rows(payload: Any, required: dict[str, Any]) -> list[dict]:
    """The rows of a JSON list that are objects with every `required` field of its kind."""
    if not isinstance(payload, list):
        return []
    return [
        row
        for row in payload
        if isinstance(row, dict)
        and all(key in row and fits(row[key], kind) for key, kind in required.items())
    ]


def fields(payload: Any, kinds: dict[str, Any]) -> dict:
    """A JSON object with each listed field of the wrong kind left out (others kept)."""
    if not isinstance(payload, dict):
        return {}
    return {
        key: value
        for key, value in payload.items()
        if key not in kinds or value is None or fits(value, kinds[key])
    }
