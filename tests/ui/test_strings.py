"""The page's string tables: every language has every key, with the same placeholders."""

from __future__ import annotations

import re
import string

import pytest

from charlm.ui import strings


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


@pytest.mark.parametrize("lang", sorted(set(strings.LANGUAGES) - {"en"}))
def test_every_language_has_the_same_keys_and_placeholders(lang):
    english, other = strings.table("en"), strings.table(lang)
    assert sorted(set(english) ^ set(other)) == []
    for key, template in english.items():
        assert placeholders(other[key]) == placeholders(template), key


@pytest.mark.parametrize("lang", sorted(strings.LANGUAGES))
def test_no_string_is_empty(lang):
    assert [k for k, v in strings.table(lang).items() if not v.strip()] == []


def test_text_fills_placeholders_and_falls_back_to_english():
    assert strings.text("en", "epochs_done", epoch=2, epochs=5) == "2 of 5 epochs"
    assert strings.text("xx", "epoch") == "Epoch"
    assert strings.status_label("ko", "running") == "진행 중"
    assert strings.status_label("en", "no-such-status") == "unknown"


# Korean particles that change with the sound before them (로/으로, 와/과, 가/이, 는/은, 를/을,
# 였/이었): after a number they are right for some values and wrong for others ("T = 1.3로",
# "추측은 T = 1였습니다"). Inside brackets the particle follows the word before: "시드(42)와".
SOUND_DEPENDENT = re.compile(r"\}(?:로|으로|와|과|가|이(?![가-힣])|이었|는|은|를|을|였|라고)")


def test_no_korean_particle_depends_on_the_number_before_it():
    found = {k: v for k, v in strings.table("ko").items() if SOUND_DEPENDENT.search(v)}
    assert found == {}
