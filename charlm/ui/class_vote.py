"""The Class view's "Which reads best?": a blind vote among the lesson's four texts (the same
opening and random numbers), shuffled per student, beside the book's 0.5. The texts are the
sidebar model's, so a vote records its model and the class's chart counts that model's votes."""

from __future__ import annotations

import functools
import random
import uuid

import streamlit as st

from charlm.analysis.sweep import LESSON_TEMPERATURES
from charlm.serving.class_results import ClassResults
from charlm.ui import safe
from charlm.ui.class_forms import form_problem, store_answer
from charlm.ui.class_results_panel import class_vote
from charlm.ui.loaders import FALLBACK_SEED, generate
from charlm.ui.strings import text
from charlm.ui.text_view import text_box

PASSAGE_LENGTH = 300
POLL = "reads-best"
VOTE_RNG = 42  # one set of random numbers for the four texts, the same for the whole class
LETTERS = "ABCDEF"


def reads_best(lang: str, results: ClassResults, path, model: str, browser: str) -> None:
    st.subheader(text(lang, "class_vote"))
    st.caption(text(lang, "vote_intro"))
    gen, _ = generate(
        path, None, FALLBACK_SEED, PASSAGE_LENGTH, LESSON_TEMPERATURES, VOTE_RNG, None, None
    )
    order = random.Random(browser).sample(range(len(LESSON_TEMPERATURES)), len(LESSON_TEMPERATURES))
    mine = results.vote_of(POLL, browser, model=model)
    # One row of two columns per pair: A B, then C D. A phone stacks each row's columns, so
    # the page and a screen reader both read A, B, C, D (two columns of two read A, C, B, D).
    for start in range(0, len(order), 2):
        for column, place in zip(st.columns(2), range(start, min(start + 2, len(order)))):
            with column:
                show_text(lang, gen.texts[order[place]], place, order[place], mine is not None)
    if mine is None:
        vote_form(lang, results, model, browser, order)
        return
    letter = LETTERS[_place(order, mine)]
    st.success(text(lang, "voted", letter=letter, t=mine))
    scope = text(lang, "votes_scope", model=safe.markdown(model))
    class_vote(lang, results.summary(model=model).votes, scope)
    st.button(text(lang, "refresh_results"), key="refresh_votes")


def show_text(lang: str, body: str, place: int, row: int, voted: bool) -> None:
    """Text A, B, ... and, once this browser has voted, the T that wrote it."""
    title = text(lang, "text_letter", letter=LETTERS[place])
    if voted:
        title += f" · T = {LESSON_TEMPERATURES[row]:g}"
    st.markdown(f"**{title}**")
    st.markdown(text_box(safe.html_text(body), max_height="14rem"), unsafe_allow_html=True)


def vote_form(lang, results: ClassResults, model: str, browser: str, order) -> None:
    # one submission id per model: a vote on another model's texts is another answer
    submission = st.session_state.setdefault(f"submission-vote-{model}", uuid.uuid4().hex)
    add = functools.partial(results.add_vote, model=model)
    with st.form("vote"):
        st.radio(
            text(lang, "vote_prompt"),
            [LESSON_TEMPERATURES[row] for row in order],  # shown as letters, stored as T
            format_func=lambda t: text(lang, "text_letter", letter=LETTERS[_place(order, t)]),
            horizontal=True,
            index=None,
            key="vote-choice",
        )
        st.form_submit_button(
            text(lang, "vote_button"),
            key="vote_submit",
            on_click=store_answer,
            args=("vote-choice", add, submission, POLL, browser),
        )
    form_problem(lang)


def _place(order, t: float) -> int:
    """Where the text written at `t` is shown (0 for A)."""
    return order.index(LESSON_TEMPERATURES.index(t))
