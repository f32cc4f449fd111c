"""The teacher's panel in the Class view: the guess set, rounds for everyone, the class's
results live, the CSV download and clearing.

Only this panel refreshes itself, one small query every few seconds (st.fragment with
run_every); students' pages never poll. Its buttons act in their callbacks, before the run
that follows the click draws the page, so that run already shows the new round, or the cleared
results, above and below.
"""

from __future__ import annotations

import secrets

import streamlit as st

from charlm.serving.class_results import GUESS_TEMPERATURES, ClassResults
from charlm.ui import params, safe
from charlm.ui.class_results_panel import (
    DATABASE_ERRORS,
    class_guesses,
    class_vote,
    guess_counts,
    open_results,
)
from charlm.ui.strings import text

REFRESH_SECONDS = 3
MAX_GUESS_SET = params.MAX_COMPARE  # the guess form's options fit one row on a phone
CLEARED = "class_cleared"  # the run after "Clear" says it was done
TEACHER_PROBLEM = "class_teacher_problem"  # what a teacher's button could not do


def teacher_panel(lang: str, results: ClassResults, model: str) -> None:
    """The panel on the teacher's page; a round started here is on `model` (the page's)."""
    st.subheader(text(lang, "teacher_panel"))
    temperature_set(lang, results)
    start, end = st.columns(2)
    start.button(
        text(lang, "start_round"), key="start_round", on_click=_start_round, args=(results, model)
    )
    end.button(text(lang, "end_round"), key="end_round", on_click=_act, args=(results.end_round,))
    problem = st.session_state.pop(TEACHER_PROBLEM, None)
    if problem is not None:
        st.error(text(lang, "class_db_error", error=safe.markdown(problem)))
    live_results(lang, str(results.path), model)
    st.download_button(
        text(lang, "download_results"),
        results.export_csv,  # called when pressed: what the file holds then, not at page run
        file_name="charlm-class-results.csv",
        mime="text/csv",
        key="download_results",
        on_click="ignore",
    )
    sure = st.checkbox(text(lang, "clear_confirm"), key="clear_confirm")
    st.button(
        text(lang, "clear_results"),
        key="clear_results",
        disabled=not sure,
        on_click=_clear,
        args=(results,),
    )
    if st.session_state.pop(CLEARED, False):
        st.success(text(lang, "cleared"))


def temperature_set(lang: str, results: ClassResults) -> None:
    """The box for the set a passage's hidden T is drawn from: every value it could not use
    is named, and so is the set then in use."""
    current = ", ".join(f"{t:g}" for t in results.temperatures())
    given = st.text_input(text(lang, "guess_set"), value=current, key="class_set")
    values, rejected = params.parse_compare(given, limit=None)
    used = values[:MAX_GUESS_SET]
    shown = ", ".join(f"{t:g}" for t in used)
    if not values and not rejected:
        default = ", ".join(f"{t:g}" for t in GUESS_TEMPERATURES)
        st.info(text(lang, "guess_set_empty", default=default))
        used = GUESS_TEMPERATURES
    elif rejected:  # none usable: the set stays as it is; some: the rest is used
        key, kept = ("guess_set_unused", {"current": current}) if not values else (
            "guess_set_partly", {"used": shown})  # fmt: skip
        items = safe.markdown(", ".join(rejected))
        st.warning(text(lang, key, items=items, low=params.T_MIN, high=params.T_MAX, **kept))
        if not values:
            return
    if len(values) > MAX_GUESS_SET:
        left_out = ", ".join(f"{t:g}" for t in values[MAX_GUESS_SET:])
        st.warning(text(lang, "guess_set_too_many", max=MAX_GUESS_SET, items=left_out, used=shown))
    if tuple(used) != results.temperatures():
        results.set_temperatures(used)


def _act(action, *args) -> None:
    """A teacher's button, in its callback; a database failure is kept for the panel to say."""
    try:
        action(*args)
    except DATABASE_ERRORS as exc:
        st.session_state[TEACHER_PROBLEM] = str(exc)


def _start_round(results: ClassResults, model: str) -> None:
    """A new round on `model`, with a hidden T from the set; the teacher's own page turns to
    it (that is what the projector shows)."""
    true_t = secrets.choice(results.temperatures())
    _act(results.start_round, true_t, secrets.randbelow(2**31 - 1), model)
    st.session_state.class_activity = "guess"


def _clear(results: ClassResults) -> None:
    """Delete every answer and round, and untick the confirmation: another clear asks again."""
    _act(results.clear)
    st.session_state.clear_confirm = False
    st.session_state[CLEARED] = TEACHER_PROBLEM not in st.session_state


@st.fragment(run_every=REFRESH_SECONDS)
def live_results(lang: str, path: str, model: str) -> None:
    """The class's results, refreshed every few seconds on the teacher's page only: the
    latest round's guesses (while it is open, only how many guessed what: the true T stays
    hidden from the projector until the round ends), else every guess on `model`, and the vote
    on `model`'s texts."""
    results = open_results(path)
    try:  # two small queries each refresh
        latest = results.latest_round()
        summary = results.summary(model=model, round_key=latest.key if latest else None)
        temperatures = results.temperatures()
    except DATABASE_ERRORS as exc:
        st.error(text(lang, "class_db_error", error=safe.markdown(exc)))
        return
    guesses, votes = sum(summary.guesses.values()), sum(summary.votes.values())
    st.caption(text(lang, "live_counts", guesses=guesses, votes=votes, seconds=REFRESH_SECONDS))
    if latest is not None:
        round_model = safe.markdown(latest.model or model)
        if latest.open:
            st.info(text(lang, "round_open", number=latest.id, model=round_model))
        else:
            st.success(
                text(lang, "round_ended", number=latest.id, model=round_model, t=latest.true_t)
            )
        scope = text(lang, "guesses_scope_round", number=latest.id, model=round_model)
    else:
        scope = text(lang, "guesses_scope_model", model=safe.markdown(model))
    left, right = st.columns(2)
    with left:
        if latest is not None and latest.open:
            guess_counts(lang, summary.guesses, temperatures, scope)
        else:
            class_guesses(lang, summary.guesses, temperatures, scope)
    with right:
        class_vote(lang, summary.votes, text(lang, "votes_scope", model=safe.markdown(model)))
