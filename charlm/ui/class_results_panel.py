"""The class's results on the page: the guesses and vote charts a student sees after answering,
and the teacher's panel (the guess set, rounds, live results, CSV download, clearing).

Students' pages never poll: they read the results when they act. Only the teacher's results
panel refreshes itself, one small query every few seconds (st.fragment with run_every).
"""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import streamlit as st

from charlm.analysis.sweep import LESSON_TEMPERATURES
from charlm.serving.class_results import ClassResults
from charlm.ui import class_charts, params, safe
from charlm.ui.strings import text

BOOK_T = 0.5  # Chollet, Deep Learning with Python, 8.1: "0.5 reads best"
REFRESH_SECONDS = 3
DATABASE_ERRORS = (sqlite3.Error, OSError)


@st.cache_resource(show_spinner=False)
def open_results(path: str) -> ClassResults:
    """One ClassResults per file per server process (it opens a short connection per call)."""
    return ClassResults(Path(path))


def class_guesses(lang: str, guesses, temperatures) -> None:
    """The class's guesses: {(true T, guessed T): count} as circles beside a perfect guess."""
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


def class_vote(lang: str, votes) -> None:
    """The class's vote, {T: votes}, beside the book's claim."""
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
