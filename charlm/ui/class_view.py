"""The Class view: "Guess the temperature" and "Which reads best?" for a class on one link.

An answer is stored in its button's callback, before the run that follows the click draws the
page, so that run draws the answer at once: one script run per answer where storing in the
run and calling st.rerun() took two (40 students voting at once on 2 cores:
benchmarks/classroom_load.py --class-activities).
"""

from __future__ import annotations

import random
import re
import secrets
import uuid

import streamlit as st

from charlm.analysis.sweep import LESSON_TEMPERATURES
from charlm.common.settings import PROJECT_ROOT
from charlm.serving import class_results
from charlm.serving.class_results import ClassResults
from charlm.ui import identity, safe, sidebar
from charlm.ui.class_results_panel import (
    DATABASE_ERRORS,
    class_guesses,
    class_vote,
    open_results,
    teacher_panel,
)
from charlm.ui.loaders import FALLBACK_SEED, generate, passage
from charlm.ui.strings import text
from charlm.ui.text_view import text_box
from charlm.ui.train_panel import teacher_box, teacher_passphrase

ACTIVITIES = ("guess", "vote")
PASSAGE_LENGTH = 300
POLL = "reads-best"
VOTE_RNG = 42  # one set of random numbers for the four texts, the same for the whole class
LETTERS = "ABCDEF"
PROBLEM = "class_problem"  # what a Guess or Vote press could not do, for the form to say


def class_tab(lang: str, settings, models: dict[str, dict]) -> set[str]:
    """Draws the Class view; returns the keys of the widgets it drew."""
    st.header(text(lang, "class_title"))
    st.caption(text(lang, "class_intro"))
    lesson_plan(lang)
    passphrase = teacher_passphrase(settings)
    viewer = identity.viewer(passphrase)
    name = sidebar.model_picker(lang, models)
    if name is None:
        st.info(text(lang, "no_models", path=safe.markdown(settings.artifacts_dir)))
        return set()
    path = models[name]["path"]
    try:
        results = open_results(str(class_results.db_path(settings)))
    except DATABASE_ERRORS as exc:
        st.error(text(lang, "class_db_error", error=safe.markdown(exc)))
        return {"model"}
    browser = class_results.anonymous_id(viewer.owner)
    if st.session_state.get("class_activity") not in ACTIVITIES:  # None: the choice clicked off
        st.session_state.class_activity = "guess"
    activity = st.segmented_control(
        text(lang, "class_activity"),
        ACTIVITIES,
        format_func=lambda a: text(lang, f"class_{a}"),
        key="class_activity",
        persist_state=sidebar.KEEP,  # Explore and back: still on the activity the class is on
    )
    try:
        if activity == "vote":
            reads_best(lang, results, path, browser)
        else:
            guess_the_temperature(lang, results, path, browser)
        if passphrase:
            teacher_box(lang, passphrase, viewer)
            if viewer.teacher:
                teacher_panel(lang, results)
    except DATABASE_ERRORS as exc:  # the choice stays in its widget: press again to retry
        st.error(text(lang, "class_db_error", error=safe.markdown(exc)))
    return {"model", "class_activity"}


def lesson_plan(lang: str) -> None:
    """The teacher's guide (docs/lesson.md, Korean in docs/lesson.ko.md), our own file, with
    its title dropped (the expander names it) and its headings under the view's h2."""
    name = "lesson.ko.md" if lang == "ko" else "lesson.md"
    try:
        guide = (PROJECT_ROOT / "docs" / name).read_text(encoding="utf-8")
    except OSError:
        return
    body = guide.split("\n", 1)[1] if guide.startswith("# ") else guide
    body = re.sub(r"^(#+) ", r"#\1 ", body, flags=re.MULTILINE)
    body = re.sub(r"\[(English|한국어)\]\([^)]*\)", "", body)  # the other file: not served
    with st.expander(text(lang, "lesson_plan")):
        st.markdown(body)


# ---- Guess the temperature -------------------------------------------------------------


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
            on_click=_store,
            args=(f"guess-choice-{key}", results.add_guess, submission, key, browser, true_t),
        )
    form_problem(lang)


def _store(choice_key: str, add, submission: str, *fields) -> None:
    """A Guess or Vote press: add(submission, *fields, choice) when a choice is made (a
    resent press changes nothing: the submission id is stored once). What went wrong is
    kept for the form to say; the choice stays in its widget, to press again."""
    choice = st.session_state.get(choice_key)
    if choice is None:
        st.session_state[PROBLEM] = ("pick_one", None)
        return
    try:
        add(submission, *fields, choice)
    except DATABASE_ERRORS as exc:
        st.session_state[PROBLEM] = ("class_db_error", str(exc))


def form_problem(lang: str) -> None:
    """Under a form: why the press just made stored nothing, if it did not."""
    problem = st.session_state.pop(PROBLEM, None)
    if problem is None:
        return
    key, error = problem
    if key == "pick_one":
        st.warning(text(lang, "pick_one"))
    else:
        st.error(text(lang, "class_db_error", error=safe.markdown(error)))


def reveal(lang, results: ClassResults, browser: str, true_t: float, mine: float) -> None:
    right = abs(true_t - mine) < 1e-9
    message = text(lang, "reveal_right" if right else "reveal_wrong", true=true_t, guess=mine)
    (st.success if right else st.info)(message)
    history = results.guesses_of(browser)
    correct = sum(abs(t - g) < 1e-9 for _, t, g in history)
    miss = sum(abs(t - g) for _, t, g in history) / len(history)
    st.markdown(text(lang, "score", right=correct, total=len(history), miss=miss))
    class_guesses(lang, results.summary().guesses, results.temperatures())


# ---- Which reads best? -----------------------------------------------------------------


def reads_best(lang: str, results: ClassResults, path, browser: str) -> None:
    st.subheader(text(lang, "class_vote"))
    st.caption(text(lang, "vote_intro"))
    gen, _ = generate(
        path, None, FALLBACK_SEED, PASSAGE_LENGTH, LESSON_TEMPERATURES, VOTE_RNG, None, None
    )
    order = random.Random(browser).sample(range(len(LESSON_TEMPERATURES)), len(LESSON_TEMPERATURES))
    mine = results.vote_of(POLL, browser)
    columns = st.columns(2)
    for place, row in enumerate(order):
        with columns[place % 2]:
            title = text(lang, "text_letter", letter=LETTERS[place])
            if mine is not None:
                title += f" · T = {LESSON_TEMPERATURES[row]:g}"
            st.markdown(f"**{title}**")
            body = safe.html_text(gen.texts[row])
            st.markdown(text_box(body, max_height="14rem"), unsafe_allow_html=True)
    if mine is None:
        vote_form(lang, results, browser, order)
        return
    letter = LETTERS[_place(order, mine)]
    st.success(text(lang, "voted", letter=letter, t=mine))
    class_vote(lang, results.summary().votes)
    st.button(text(lang, "refresh_results"), key="refresh_votes")


def vote_form(lang, results: ClassResults, browser: str, order) -> None:
    submission = st.session_state.setdefault("submission-vote", uuid.uuid4().hex)
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
            on_click=_store,
            args=("vote-choice", results.add_vote, submission, POLL, browser),
        )
    form_problem(lang)


def _place(order, t: float) -> int:
    """Where the text written at `t` is shown (0 for A)."""
    return order.index(LESSON_TEMPERATURES.index(t))
