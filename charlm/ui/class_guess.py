"""The Class view's "Guess the temperature": a passage written at a hidden T, self-paced or in
rounds the teacher starts and ends; the reveal shows the true T, the score and the class's
guesses."""

from __future__ import annotations

import random
import secrets
import uuid

import streamlit as st

from charlm.serving.class_results import ClassResults
from charlm.ui import safe
from charlm.ui.class_forms import form_problem, store_answer
from charlm.ui.class_results_panel import class_guesses
from charlm.ui.loaders import generate, passage
from charlm.ui.strings import text
from charlm.ui.text_view import text_box

PASSAGE_LENGTH = 300


def guess_the_temperature(lang: str, results: ClassResults, path, browser: str) -> None:
    st.subheader(text(lang, "class_guess"))
    latest = results.latest_round()
    seen = st.session_state.get("class_seen_round")
    if latest is not None and latest.open:
        key, seed, true_t, led = latest.key, latest.seed, latest.true_t, True
    elif latest is not None and seen != latest.id and _guessed(results, browser, latest.key):
        key, seed, true_t, led = latest.key, latest.seed, latest.true_t, True
    else:
        if "class_round" not in st.session_state:
            new_self_round(results.temperatures())
        seed, true_t = st.session_state.class_round
        key, led = f"self-{seed}", False
    st.caption(text(lang, "round_teacher" if led else "round_self"))
    st.markdown(text_box(safe.html_text(round_text(path, seed, true_t))), unsafe_allow_html=True)
    mine = _guessed(results, browser, key)
    if mine is None:
        guess_form(lang, results, key, browser, true_t, results.temperatures())
        return
    if led and latest.open:
        st.info(text(lang, "guess_in_wait", guess=mine))
        st.button(text(lang, "check_answer"), key="check_answer")
        return
    reveal(lang, results, browser, true_t, mine)
    if led:
        st.button(
            text(lang, "continue_self"), key="continue_self", on_click=_seen, args=(latest.id,)
        )
    else:
        st.button(
            text(lang, "next_passage"),
            key="next_passage",
            on_click=new_self_round,
            args=(results.temperatures(),),
        )


def new_self_round(temperatures) -> None:
    seed = secrets.randbelow(2**31 - 1)
    st.session_state.class_round = (seed, random.Random(seed).choice(list(temperatures)))


def _seen(round_id: int) -> None:
    st.session_state.class_seen_round = round_id


def _guessed(results: ClassResults, browser: str, key: str) -> float | None:
    return next((g for round_key, _, g in results.guesses_of(browser) if round_key == key), None)


def round_text(path, seed: int, true_t: float) -> str:
    """The passage of a round: a corpus passage as the seed, continued at the hidden T with
    the round's random numbers (cached, so a class on one teacher round shares it)."""
    seed_text = passage(60, seed)
    gen, _ = generate(path, None, seed_text, PASSAGE_LENGTH, [true_t], seed, None, None)
    return gen.texts[0]


def guess_form(lang, results, key, browser, true_t, temperatures) -> None:
    submission = st.session_state.setdefault(f"submission-{key}", uuid.uuid4().hex)
    with st.form(f"guess-{key}"):
        st.radio(
            text(lang, "guess_prompt"),
            temperatures,
            format_func=lambda t: f"T = {t:g}",
            horizontal=True,
            index=None,
            key=f"guess-choice-{key}",
        )
        st.form_submit_button(
            text(lang, "guess_button"),
            key="guess_submit",
            on_click=store_answer,
            args=(f"guess-choice-{key}", results.add_guess, submission, key, browser, true_t),
        )
    form_problem(lang)


def reveal(lang, results: ClassResults, browser: str, true_t: float, mine: float) -> None:
    right = abs(true_t - mine) < 1e-9
    message = text(lang, "reveal_right" if right else "reveal_wrong", true=true_t, guess=mine)
    (st.success if right else st.info)(message)
    history = results.guesses_of(browser)
    correct = sum(abs(t - g) < 1e-9 for _, t, g in history)
    miss = sum(abs(t - g) for _, t, g in history) / len(history)
    st.markdown(text(lang, "score", right=correct, total=len(history), miss=miss))
    class_guesses(lang, results.summary().guesses, results.temperatures())
