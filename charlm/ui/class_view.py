"""The Class view: "Guess the temperature" and "Which reads best?" for a class on one link.

Students' pages never poll: they read the results when they act. Only the teacher's results
panel refreshes itself, one small query every few seconds (st.fragment with run_every).
"""

from __future__ import annotations

import random
import re
import secrets
import sqlite3
import uuid
from pathlib import Path

import streamlit as st

from charlm.analysis.sweep import LESSON_TEMPERATURES
from charlm.common.settings import PROJECT_ROOT
from charlm.serving import class_results
from charlm.serving.class_results import ClassResults
from charlm.ui import class_charts, identity, params, safe, sidebar
from charlm.ui.loaders import FALLBACK_SEED, generate, passage
from charlm.ui.strings import text
from charlm.ui.text_view import text_box
from charlm.ui.train_panel import teacher_box, teacher_passphrase

ACTIVITIES = ("guess", "vote")
PASSAGE_LENGTH = 300
POLL = "reads-best"
VOTE_RNG = 42  # one set of random numbers for the four texts, the same for the whole class
BOOK_T = 0.5  # Chollet, Deep Learning with Python, 8.1: "0.5 reads best"
REFRESH_SECONDS = 3
LETTERS = "ABCDEF"
DATABASE_ERRORS = (sqlite3.Error, OSError)


@st.cache_resource(show_spinner=False)
def open_results(path: str) -> ClassResults:
    """One ClassResults per file per server process (it opens a short connection per call)."""
    return ClassResults(Path(path))


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
        choice = st.radio(
            text(lang, "guess_prompt"),
            temperatures,
            format_func=lambda t: f"T = {t:g}",
            horizontal=True,
            index=None,
            key=f"guess-choice-{key}",
        )
        sent = st.form_submit_button(text(lang, "guess_button"), key="guess_submit")
    if not sent:
        return
    if choice is None:
        st.warning(text(lang, "pick_one"))
        return
    results.add_guess(submission, key, browser, true_t, choice)
    st.rerun()  # draw the reveal (or the wait) in place of the form


def reveal(lang, results: ClassResults, browser: str, true_t: float, mine: float) -> None:
    right = abs(true_t - mine) < 1e-9
    message = text(lang, "reveal_right" if right else "reveal_wrong", true=true_t, guess=mine)
    (st.success if right else st.info)(message)
    history = results.guesses_of(browser)
    correct = sum(abs(t - g) < 1e-9 for _, t, g in history)
    miss = sum(abs(t - g) for _, t, g in history) / len(history)
    st.markdown(text(lang, "score", right=correct, total=len(history), miss=miss))
    class_guesses(lang, results.summary().guesses, results.temperatures())


def class_guesses(lang: str, guesses, temperatures) -> None:
    st.markdown(f"**{text(lang, 'class_guesses')}**")
    labels = {
        "true": text(lang, "true_t"),
        "guessed": text(lang, "guessed_t"),
        "count": text(lang, "count"),
        "perfect": text(lang, "perfect_guess"),
    }
    rows = class_charts.guess_rows(guesses)
    st.altair_chart(
        class_charts.guess_chart(rows, temperatures, labels), alt=text(lang, "class_guesses")
    )


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
    letter = LETTERS[order.index(LESSON_TEMPERATURES.index(mine))]
    st.success(text(lang, "voted", letter=letter, t=mine))
    class_vote(lang, results.summary().votes)
    st.button(text(lang, "refresh_results"), key="refresh_votes")


def vote_form(lang, results: ClassResults, browser: str, order) -> None:
    submission = st.session_state.setdefault("submission-vote", uuid.uuid4().hex)
    with st.form("vote"):
        choice = st.radio(
            text(lang, "vote_prompt"),
            range(len(order)),
            format_func=lambda place: text(lang, "text_letter", letter=LETTERS[place]),
            horizontal=True,
            index=None,
            key="vote-choice",
        )
        sent = st.form_submit_button(text(lang, "vote_button"), key="vote_submit")
    if not sent:
        return
    if choice is None:
        st.warning(text(lang, "pick_one"))
        return
    results.add_vote(submission, POLL, browser, LESSON_TEMPERATURES[order[choice]])
    st.rerun()


def class_vote(lang: str, votes) -> None:
    st.markdown(f"**{text(lang, 'class_votes')}**")
    labels = {
        "temperature": text(lang, "temperature_axis"),
        "votes": text(lang, "votes"),
        "book": text(lang, "book_choice"),
        "other": text(lang, "other_choice"),
    }
    rows = class_charts.vote_rows(votes, LESSON_TEMPERATURES, BOOK_T)
    st.altair_chart(class_charts.vote_chart(rows, labels), alt=text(lang, "class_votes"))
    st.caption(text(lang, "book_claim"))


# ---- the teacher -----------------------------------------------------------------------


def teacher_panel(lang: str, results: ClassResults) -> None:
    st.subheader(text(lang, "teacher_panel"))
    current = ", ".join(f"{t:g}" for t in results.temperatures())
    given = st.text_input(text(lang, "guess_set"), value=current, key="class_set")
    values, rejected = params.parse_compare(given)
    if rejected or not values:
        st.warning(
            text(
                lang,
                "bad_temperatures",
                items=", ".join(rejected) or "-",
                low=params.T_MIN,
                high=params.T_MAX,
            )
        )
    elif values != results.temperatures():
        results.set_temperatures(values)
    start, end = st.columns(2)
    if start.button(text(lang, "start_round"), key="start_round"):
        temps = results.temperatures()
        results.start_round(secrets.choice(temps), secrets.randbelow(2**31 - 1))
    if end.button(text(lang, "end_round"), key="end_round"):
        results.end_round()
    latest = results.latest_round()
    if latest is not None and latest.open:
        st.info(text(lang, "round_open", number=latest.id, t=latest.true_t))
    live_results(lang, str(results.path), results.temperatures())
    st.download_button(
        text(lang, "download_results"),
        results.export_csv(),
        file_name="charlm-class-results.csv",
        mime="text/csv",
        key="download_results",
    )
    sure = st.checkbox(text(lang, "clear_confirm"), key="clear_confirm")
    if st.button(text(lang, "clear_results"), key="clear_results", disabled=not sure):
        results.clear()
        st.success(text(lang, "cleared"))


@st.fragment(run_every=REFRESH_SECONDS)
def live_results(lang: str, path: str, temperatures) -> None:
    """The class's results, refreshed every few seconds on the teacher's page only."""
    results = open_results(path)
    try:
        summary = results.summary()  # the one query of each refresh
    except DATABASE_ERRORS as exc:
        st.error(text(lang, "class_db_error", error=safe.markdown(exc)))
        return
    guesses, votes = sum(summary.guesses.values()), sum(summary.votes.values())
    st.caption(text(lang, "live_counts", guesses=guesses, votes=votes, seconds=REFRESH_SECONDS))
    left, right = st.columns(2)
    with left:
        class_guesses(lang, summary.guesses, temperatures)
    with right:
        class_vote(lang, summary.votes)
