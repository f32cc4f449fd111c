"""The Class view's charts, in Altair: the class's guesses (true T against guessed T), how many
guessed each T (while a round is open, without the true T), and the class's vote beside the
book's claim. Rows in, chart out; no Streamlit here. Counts are whole numbers on every axis and
legend (format "d", ticks at least 1 apart)."""

from __future__ import annotations

import pandas as pd

from charlm.ui.lazy_altair import alt

GUESS_COLOR = "#1A56A6"
WHOLE = {"format": "d", "tickMinStep": 1}  # a count of people: never 0.5 or 0.000000
BOOK_COLOR = "#B35806"  # orange against blue: apart for every common colour blindness


def guess_rows(guesses: dict[tuple[float, float], int]) -> pd.DataFrame:
    """{(true T, guessed T): count} -> rows true_t, guessed_t, count."""
    rows = [{"true_t": t, "guessed_t": g, "count": n} for (t, g), n in guesses.items()]
    return pd.DataFrame(rows, columns=["true_t", "guessed_t", "count"])


def guess_chart(rows: pd.DataFrame, temperatures, labels: dict[str, str]) -> alt.LayerChart:
    """Circles sized by how many guessed `guessed_t` for a passage at `true_t`; the dashed
    diagonal is a perfect guess. labels: true, guessed, count, perfect."""
    low, high = 0.0, max([*temperatures, *rows["true_t"], *rows["guessed_t"], 0.5]) + 0.2
    scale = alt.Scale(domain=[low, high], nice=False)
    diagonal = (
        alt.Chart(pd.DataFrame({"t": [low, high], "what": [labels["perfect"]] * 2}))
        .mark_line(strokeDash=[4, 4], color="#666")
        .encode(
            x=alt.X("t:Q", scale=scale, title=labels["true"]),
            y=alt.Y("t:Q", scale=scale, title=labels["guessed"]),
            tooltip=alt.Tooltip("what:N", title=" "),
        )
    )
    points = (
        alt.Chart(rows)
        .mark_circle(color=GUESS_COLOR, opacity=0.75)
        .encode(
            x=alt.X("true_t:Q", scale=scale, title=labels["true"]),
            y=alt.Y("guessed_t:Q", scale=scale, title=labels["guessed"]),
            size=alt.Size(
                "count:Q",
                title=labels["count"],
                scale=alt.Scale(range=[60, 900], zero=False),
                legend=alt.Legend(**WHOLE),
            ),
            tooltip=[
                alt.Tooltip("true_t:Q", title=labels["true"]),
                alt.Tooltip("guessed_t:Q", title=labels["guessed"]),
                alt.Tooltip("count:Q", title=labels["count"], format="d"),
            ],
        )
    )
    return alt.layer(diagonal, points).properties(height=320)


def guessed_rows(guesses: dict[tuple[float, float], int], temperatures) -> pd.DataFrame:
    """How many guessed each T, whatever the true T: rows guessed ("T = 0.5"), count, with
    every T of the set (0 where none) in order."""
    counts: dict[float, int] = {float(t): 0 for t in temperatures}
    for (_, guessed), n in guesses.items():
        counts[guessed] = counts.get(guessed, 0) + int(n)
    rows = [{"guessed": f"T = {t:g}", "count": n} for t, n in sorted(counts.items())]
    return pd.DataFrame(rows, columns=["guessed", "count"])


def guessed_chart(rows: pd.DataFrame, labels: dict[str, str]) -> alt.Chart:
    """One bar per guessed T. labels: guessed, count."""
    return (
        alt.Chart(rows)
        .mark_bar(color=GUESS_COLOR)
        .encode(
            x=alt.X("guessed:N", title=labels["guessed"], sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title=labels["count"], axis=alt.Axis(**WHOLE)),
            tooltip=[
                alt.Tooltip("guessed:N", title=labels["guessed"]),
                alt.Tooltip("count:Q", title=labels["count"], format="d"),
            ],
        )
        .properties(height=260)
    )


def vote_rows(votes: dict[float, int], temperatures, book_t: float) -> pd.DataFrame:
    """Votes for every offered T (0 where none), and whether it is the book's choice."""
    rows = [
        {"t": f"T = {t:g}", "votes": int(votes.get(t, 0)), "book": abs(t - book_t) < 1e-9}
        for t in temperatures
    ]
    return pd.DataFrame(rows, columns=["t", "votes", "book"])


def vote_chart(rows: pd.DataFrame, labels: dict[str, str]) -> alt.Chart:
    """One bar per temperature; the book's choice in its own colour, named in the legend.
    labels: temperature, votes, book, other."""
    rows = rows.assign(which=rows["book"].map({True: labels["book"], False: labels["other"]}))
    return (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            x=alt.X("t:N", title=labels["temperature"], sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("votes:Q", title=labels["votes"], axis=alt.Axis(**WHOLE)),
            color=alt.Color(
                "which:N",
                title=None,
                scale=alt.Scale(
                    domain=[labels["book"], labels["other"]], range=[BOOK_COLOR, GUESS_COLOR]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("t:N", title=labels["temperature"]),
                alt.Tooltip("votes:Q", title=labels["votes"], format="d"),
            ],
        )
        .properties(height=260)
    )
