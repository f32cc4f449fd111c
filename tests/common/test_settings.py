"""Settings: Streamlit secrets and CHARLM_* variables read by one rule (issue 19, items 6-7)."""

import logging

import pytest

from charlm.common.settings import load_settings


@pytest.mark.parametrize("word", ["disabled", "nope", "0", "off"])
@pytest.mark.parametrize("where", ["secret", "variable"])
def test_a_switch_reads_the_same_from_a_secret_or_a_variable(monkeypatch, word, where):
    monkeypatch.delenv("CHARLM_TRAINING", raising=False)
    if where == "secret":
        settings = load_settings({"training_enabled": word})
    else:
        monkeypatch.setenv("CHARLM_TRAINING", word)
        settings = load_settings()
    assert settings.training_enabled is False
    named = "secret training_enabled" if where == "secret" else "CHARLM_TRAINING"
    assert settings.training_set_by == named
    unreadable = word == "nope"
    assert [named in p for p in settings.problems] == ([True] if unreadable else [])


def test_a_secret_wins_over_the_variable_for_every_setting(monkeypatch):
    monkeypatch.setenv("CHARLM_MAX_EPOCHS", "7")
    monkeypatch.setenv("CHARLM_TRAINING", "off")
    settings = load_settings({"max_epochs": 12, "training_enabled": True})
    assert settings.max_epochs == 12 and settings.training_enabled
    bad = load_settings({"max_epochs": "lots"})
    assert bad.max_epochs == 30 and "secret max_epochs='lots'" in bad.problems[0]


PASSPHRASES = [(" ", "blank"), ("", None), ("abc", "short"), ("  \t ", "blank"), ("owl-42-x", None)]


@pytest.mark.parametrize("given, reason", PASSPHRASES)
def test_a_blank_or_short_passphrase_switches_teacher_mode_off(monkeypatch, caplog, given, reason):
    monkeypatch.setenv("CHARLM_TEACHER_PASSPHRASE", given)
    with caplog.at_level(logging.WARNING, logger="charlm.settings"):
        settings = load_settings()
    if reason is None:
        assert settings.teacher_off is None
        assert settings.teacher_passphrase == (given or None)
    else:
        assert settings.teacher_passphrase is None
        assert settings.teacher_off == (reason, "CHARLM_TEACHER_PASSPHRASE")
        assert load_settings({"teacher_passphrase": given}).teacher_off == (
            reason,
            "secret teacher_passphrase",
        )
