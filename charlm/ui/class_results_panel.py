"""The class's results on the page: the guesses and vote charts a student sees after answering
(the teacher's live panel draws them too), and the one results file per server process.

Students' pages never poll: they read the results when they act.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import streamlit as st

from charlm.analysis.sweep import LESSON_TEMPERATURES
from charlm.serving.class_results import ClassResults
from charlm.ui import class_charts
from charlm.ui.strings import text

BOOK_T = 0.5  # Chollet, Deep Learning with Python, 8.1: "0.5 reads best"
DATABASE_ERRORS = (sqlite3.Error, OSError)


@st.cache_resource(show_spinner=False)
def open_results(path: str) -> ClassResults:
    """One ClassResults per file per server process (it opens a short connection per call)."""
    return ClassResults(Path(path))


def class_guesses(lang: str, guesses, temperatures, scope: str) -> None:
    """The class's guesses: {(true T, guessed T): count} as circles beside a perfect guess;
    `scope` says whose guesses they are (one round, or one model's)."""
    st.markdown(f"**{text(lang, 'class_guesses')}**")
    st.caption(scope)
    if not guesses:  # an empty chart has no scale to draw (its axes read 0.000000)
        st.caption(text(lang, "no_guesses_yet"))
        return
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


def guess_counts(lang: str, guesses, temperatures, scope: str) -> None:
    """While a round is open: how many guessed each T, and nothing of the true T (the
    teacher projects this)."""
    st.markdown(f"**{text(lang, 'class_guessed')}**")
    st.caption(scope)
    if not guesses:
        st.caption(text(lang, "no_guesses_yet"))
        return
    labels = {"guessed": text(lang, "guessed_t"), "count": text(lang, "count")}
    rows = class_charts.guessed_rows(guesses, temperatures)
    st.altair_chart(class_charts.guessed_chart(rows, labels), alt=text(lang, "class_guessed"))


def class_vote(lang: str, votes, scope: str) -> None:
    """The class's vote, {T: votes}, beside the book's claim; `scope` names the model."""
    st.markdown(f"**{text(lang, 'class_votes')}**")
    st.caption(scope)
    if not sum(votes.values()):
        st.caption(text(lang, "no_votes_yet"))
    else:
        labels = {
            "temperature": text(lang, "temperature_axis"),
            "votes": text(lang, "votes"),
            "book": text(lang, "book_choice"),
            "other": text(lang, "other_choice"),
        }
        rows = class_charts.vote_rows(votes, LESSON_TEMPERATURES, BOOK_T)
        st.altair_chart(class_charts.vote_chart(rows, labels), alt=text(lang, "class_votes"))
    st.caption(text(lang, "book_claim"))
