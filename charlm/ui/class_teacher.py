"""The teacher's panel in the Class view: the guess set, rounds for everyone, the class's
results live, the CSV download and clearing.

Only this panel refreshes itself, one small query every few seconds (st.fragment with
run_every); students' pages never poll.
"""

from __future__ import annotations

import secrets

import streamlit as st

from charlm.serving.class_results import ClassResults
from charlm.ui import params, safe
from charlm.ui.class_results_panel import DATABASE_ERRORS, class_guesses, class_vote, open_results
from charlm.ui.strings import text

REFRESH_SECONDS = 3


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
