"""The Class view's "Guess the temperature": a passage written at a hidden T, self-paced or in
rounds the teacher starts and ends; the reveal shows the true T, the score and the class's
guesses.

A teacher's round fixes its model: every page shows the passage the round's model writes,
whatever model its sidebar has. A self-paced round is fixed by the browser's anonymous id and
the round's number, so a reload shows the same passage until it is guessed.
"""

from __future__ import annotations

import functools
import uuid

import streamlit as st

from charlm.serving import class_results
from charlm.serving.class_results import ClassResults, Round
from charlm.ui import safe
from charlm.ui.class_forms import REFUSED_ROUND, form_problem, store_answer
from charlm.ui.class_results_panel import class_guesses
from charlm.ui.loaders import generate, passage
from charlm.ui.strings import text
from charlm.ui.text_view import text_box

PASSAGE_LENGTH = 300
SEEN_ROUND = "class_seen_round"  # the ended round this page has moved on from
SELF_ROUND = "class_self_round"  # the number of the self-paced round on screen


def guess_the_temperature(
    lang: str, results: ClassResults, models: dict, model: str, browser: str, teacher: bool
) -> None:
    """The activity on `model` (the sidebar's), or on a teacher's round's own model."""
    st.subheader(text(lang, "class_guess"))
    latest = results.latest_round()
    history = {key: (true_t, guess) for key, true_t, guess in results.guesses_of(browser)}
    if latest is not None and _follows(latest, history, teacher):
        round_model = latest.model or model  # a round from before rounds kept their model
        if round_model in models:
            teacher_round(lang, results, latest, models, round_model, browser, history, teacher)
            return
        st.info(
            text(lang, "round_model_missing", number=latest.id, model=safe.markdown(round_model))
        )
    self_paced(lang, results, models[model]["path"], model, browser, history)


def _follows(latest: Round, history: dict, teacher: bool) -> bool:
    """Whether this page shows the teacher's latest round: while it is open; once ended,
    until the page moves on, when it has an answer to show here (this browser's guess, a
    guess refused for arriving late, or the teacher's own projected page)."""
    if latest.open:
        return True
    answered = latest.key in history or st.session_state.get(REFUSED_ROUND) == latest.id
    return st.session_state.get(SEEN_ROUND) != latest.id and (answered or teacher)


def teacher_round(lang, results, round_: Round, models, model, browser, history, teacher):
    st.caption(text(lang, "round_teacher", number=round_.id, model=safe.markdown(model)))
    show_passage(models[model]["path"], round_.seed, round_.true_t)
    temperatures = results.temperatures()
    mine = history.get(round_.key)
    if round_.open:
        if mine is None:
            guess_form(lang, results, round_.key, browser, round_.true_t, temperatures, model)
        else:
            st.info(text(lang, "guess_in_wait", guess=mine[1]))
            st.button(text(lang, "check_answer"), key="check_answer")
        return
    scope = text(lang, "guesses_scope_round", number=round_.id, model=safe.markdown(model))
    if mine is not None:
        reveal(lang, history, *mine)
        class_guesses(lang, results.summary(round_key=round_.key).guesses, temperatures, scope)
    else:
        if st.session_state.get(REFUSED_ROUND) == round_.id:
            st.warning(text(lang, "round_ended_first", number=round_.id))
        st.info(text(lang, "round_answer", number=round_.id, true=round_.true_t))
        if not teacher:  # the teacher's panel below draws this round's chart
            summary = results.summary(round_key=round_.key)
            class_guesses(lang, summary.guesses, temperatures, scope)
    st.button(text(lang, "continue_self"), key="continue_self", on_click=_seen, args=(round_.id,))


def self_paced(lang, results: ClassResults, path, model: str, browser: str, history) -> None:
    done = sum(key.startswith(class_results.SELF_PREFIX) for key in history)
    number = st.session_state.setdefault(SELF_ROUND, done + 1)  # kept until "Next passage"
    temperatures = results.temperatures()
    seed, true_t = class_results.self_paced_round(browser, number, temperatures)
    key = class_results.self_round_key(seed)
    st.caption(text(lang, "round_self"))
    show_passage(path, seed, true_t)
    if key not in history:
        guess_form(lang, results, key, browser, true_t, temperatures, model)
        return
    reveal(lang, history, *history[key])  # the T it was written at when guessed
    scope = text(lang, "guesses_scope_model", model=safe.markdown(model))
    class_guesses(lang, results.summary(model=model).guesses, temperatures, scope)
    st.button(
        text(lang, "next_passage"), key="next_passage", on_click=_next_self_round, args=(done,)
    )


def _next_self_round(done: int) -> None:
    st.session_state[SELF_ROUND] = done + 1


def _seen(round_id: int) -> None:
    st.session_state[SEEN_ROUND] = round_id


def show_passage(path, seed: int, true_t: float) -> None:
    """The passage of a round: a corpus passage as the seed, continued at the hidden T with
    the round's random numbers (cached, so a class on one teacher round shares it)."""
    seed_text = passage(60, seed)
    gen, _ = generate(path, None, seed_text, PASSAGE_LENGTH, [true_t], seed, None, None)
    st.markdown(text_box(safe.html_text(gen.texts[0])), unsafe_allow_html=True)


def guess_form(lang, results, key, browser, true_t, temperatures, model) -> None:
    submission = st.session_state.setdefault(f"submission-{key}", uuid.uuid4().hex)
    add = functools.partial(results.add_guess, model=model)
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
            args=(f"guess-choice-{key}", add, submission, key, browser, true_t),
        )
    form_problem(lang)


def reveal(lang, history: dict, true_t: float, mine: float) -> None:
    """This guess against the truth, and this browser's score over every guess it made."""
    right = abs(true_t - mine) < 1e-9
    message = text(lang, "reveal_right" if right else "reveal_wrong", true=true_t, guess=mine)
    (st.success if right else st.info)(message)
    answers = list(history.values())
    correct = sum(abs(t - g) < 1e-9 for t, g in answers)
    miss = sum(abs(t - g) for t, g in answers) / len(answers)
    st.markdown(text(lang, "score", right=correct, total=len(answers), miss=miss))
