"""Storing a Class view answer from its button's callback, and saying under the form what a
press could not do.

An answer is stored in its button's callback, before the run that follows the click draws the
page, so that run draws the answer at once: one script run per answer where storing in the
run and calling st.rerun() took two (40 students voting at once on 2 cores:
benchmarks/classroom_load.py --class-activities).
"""

from __future__ import annotations

import streamlit as st

from charlm.serving.class_results import RoundEnded
from charlm.ui import safe
from charlm.ui.class_results_panel import DATABASE_ERRORS
from charlm.ui.strings import text

PROBLEM = "class_problem"  # what a Guess or Vote press could not do, for the form to say
REFUSED_ROUND = "class_refused_round"  # a round that had ended when this page's guess came


def store_answer(choice_key: str, add, submission: str, *fields) -> None:
    """A Guess or Vote press: add(submission, *fields, choice) when a choice is made (a
    resent press changes nothing: the submission id is stored once). What went wrong is
    kept for the form to say; the choice stays in its widget, to press again. A guess for a
    round that has ended is not stored: the page then says so and shows the answer."""
    choice = st.session_state.get(choice_key)
    if choice is None:
        st.session_state[PROBLEM] = ("pick_one", None)
        return
    try:
        add(submission, *fields, choice)
    except RoundEnded as exc:
        st.session_state[REFUSED_ROUND] = exc.round_id
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
