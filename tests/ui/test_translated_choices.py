"""Choices labelled in the page's language keep their value across a language switch
(the browser holds the label it showed; see sidebar.TRANSLATED_CHOICES)."""

import ast
from pathlib import Path

from charlm.ui import sidebar

UI = Path(__file__).resolve().parents[2] / "charlm" / "ui"
# Labels that read the same in every language: each language's own name; "T = 0.5".
SAME_IN_EVERY_LANGUAGE = {"lang", "guess-choice-{}"}


def labelled_choice_keys() -> set[str]:
    """The key of every widget call in charlm/ui that passes a format_func (an f-string key
    with its fields as {})."""
    keys = set()
    for path in UI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            names = {k.arg: k.value for k in node.keywords}
            if "format_func" not in names or "key" not in names:
                continue
            key = names["key"]
            if isinstance(key, ast.Constant):
                keys.add(key.value)
            elif isinstance(key, ast.JoinedStr):
                keys.add(
                    "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in key.values)
                )
            else:
                keys.add(ast.unparse(key))
    return keys


def test_every_choice_labelled_in_the_pages_language_is_relabelled_on_a_switch():
    found = labelled_choice_keys()
    assert "model" in found and "train_units" in found  # the scan sees the widgets
    assert found - SAME_IN_EVERY_LANGUAGE == set(sidebar.TRANSLATED_CHOICES)
