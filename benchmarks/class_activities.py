"""`classroom_load.py --class-activities`: a class on the Class view at once, through the real
page. Each student is a browser of its own (its own `charlm_owner` cookie, so its own anonymous
id, as a real browser keeps one), opens `?view=class`, guesses in "Guess the temperature",
switches to "Which reads best?" and votes. Every step starts for all students together (each
within `spread` seconds of the others). Widgets are found by their keys.

Afterwards the results file the server wrote is read with plain SQL (not through the page's
storage layer): every student's guess and vote must be stored exactly once, under the id of
that student's cookie, with the value the student chose.
"""

from __future__ import annotations

import asyncio
import random
import re
import sqlite3
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from st_client import StreamlitSession

from charlm.serving import ownership
from charlm.serving.class_results import anonymous_id

ACTIONS = ("open", "guess", "activity", "vote")
TITLE = re.compile(r"\*\*(.+?) · T = ([0-9.]+)\*\*")  # a text's title once the vote is in


@dataclass
class ClassOptions:
    spread: float = 0.0  # seconds: each step starts for every student within this window
    timeout: float = 60.0  # an action not finished by then "never finished"
    query: str = "view=class"


@dataclass
class StudentLog:
    browser: str  # the anonymous id the page must store this student's answers under
    seconds: dict[str, float] = field(default_factory=dict)
    unfinished: list[str] = field(default_factory=list)
    guessed: float | None = None  # what this student submitted (None: never submitted)
    voted: float | None = None
    errors: list[str] = field(default_factory=list)


class ClassStudent:
    """One browser on the Class view."""

    def __init__(self, port: int, token: str, rng: random.Random, options: ClassOptions):
        cookies = {"charlm_owner": token}
        self.session = StreamlitSession(port, query=options.query, cookies=cookies)
        self.rng, self.options = rng, options
        self.log = StudentLog(browser=anonymous_id(ownership.owner_id(token)))
        self.open_ok = False

    async def _act(self, name: str, opening: bool = False):
        """Send the values set, after this student's share of the spread; the finished page
        or None (counted as unfinished)."""
        await asyncio.sleep(self.rng.uniform(0, self.options.spread))
        try:
            if opening:
                result = await self.session.open(timeout=self.options.timeout)
            else:
                result = await self.session.rerun(timeout=self.options.timeout)
        except Exception as exc:  # a dropped connection counts as never finished
            self.log.errors.append(f"{name}: {exc!r}")
            result = None
        if result is None or not result.finished:
            self.log.unfinished.append(name)
            return None
        self.log.seconds[name] = result.seconds
        self.log.errors += [f"{name}: {m}" for m in result.markdown if m.startswith("EXCEPTION")]
        return result

    def _missing(self, name: str, *keys: str) -> bool:
        absent = [key for key in keys if key not in self.session.widgets]
        if absent:
            self.log.unfinished.append(name)
            self.log.errors.append(f"{name}: no widget {absent} on the page")
        return bool(absent)

    async def open(self) -> None:
        result = await self._act("open", opening=True)
        self.open_ok = result is not None and not self._missing("open", "class_activity")

    async def guess(self) -> None:
        choice = next((k for k in self.session.widgets if k.startswith("guess-choice-")), None)
        if not self.open_ok or choice is None or self._missing("guess", "guess_submit"):
            if self.open_ok and choice is None:
                self._missing("guess", "guess-choice-*")
            return
        option = self.rng.choice(self.session.widgets[choice].options)  # "T = 0.5"
        self.session.set(choice, "string_value", option)
        self.session.click("guess_submit")
        self.log.guessed = float(option.split("=")[1])
        result = await self._act("guess")
        if result is not None and any(key == choice for _, key, _ in result.elements):
            self.log.errors.append("guess: the form is still on the page after the guess")

    async def switch_to_vote(self) -> None:
        if not self.open_ok:
            return
        widget = self.session.widgets["class_activity"]
        self.session.set("class_activity", "string_array_value", [widget.options[1]])
        result = await self._act("activity")
        if result is not None and not any(key == "vote-choice" for _, key, _ in result.elements):
            self.log.errors.append("activity: no vote form after switching")

    async def vote(self) -> None:
        if not self.open_ok or self._missing("vote", "vote-choice", "vote_submit"):
            return
        option = self.rng.choice(self.session.widgets["vote-choice"].options)  # "Text C"
        self.session.set("vote-choice", "string_value", option)
        self.session.click("vote_submit")
        self.log.voted = float("nan")  # sent; the page says which T it was once it is in
        result = await self._act("vote")
        if result is None:
            return
        shown = {m.group(1): float(m.group(2)) for m in map(TITLE.search, result.markdown) if m}
        if option in shown:
            self.log.voted = shown[option]
        else:
            self.log.errors.append(f"vote: the page does not show which T {option} was")

    async def close(self) -> None:
        await self.session.close()


async def class_activities(
    port: int, users: int, options: ClassOptions, seed: int = 0, answer: bool = True
) -> list[StudentLog]:
    """Every student opens, then every student guesses, switches, votes: step by step, all
    at once. Each student is a new browser with a cookie of its own. With `answer` False
    they only open both activities."""
    rng = random.Random(seed)
    tokens = [ownership.new_token() for _ in range(users)]
    students = [ClassStudent(port, token, random.Random(rng.random()), options) for token in tokens]
    steps = ("open", "guess", "switch_to_vote", "vote") if answer else ("open", "switch_to_vote")
    try:
        for step in steps:
            await asyncio.gather(*(getattr(s, step)() for s in students))
    finally:
        await asyncio.gather(*(s.close() for s in students), return_exceptions=True)
    return [s.log for s in students]


@dataclass
class StoredCheck:
    """One kind of answer (guesses or votes) as the results file holds it."""

    kind: str
    expected: int  # students who sent one
    exactly_once: int  # of them, stored once under their own id with the value they chose
    missing: list[str]
    duplicated: list[str]
    wrong_value: list[str]
    strangers: list[str]  # ids in the file that no student has: a cookie was not used
    per_round: dict[str, int]  # round (guesses) or poll (votes) -> answers stored

    @property
    def ok(self) -> bool:
        bad = self.missing or self.duplicated or self.wrong_value or self.strangers
        return not bad and self.exactly_once == self.expected


def check_stored(db: Path, logs: list[StudentLog]) -> tuple[StoredCheck, StoredCheck]:
    """(guesses, votes) as stored in `db`, checked against what each student sent."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        guesses = conn.execute("SELECT browser, round, guessed_t FROM guesses").fetchall()
        votes = conn.execute("SELECT browser, poll, choice_t FROM votes").fetchall()
    sent_guesses = {log.browser: log.guessed for log in logs if log.guessed is not None}
    sent_votes = {log.browser: log.voted for log in logs if log.voted is not None}
    return _check("guesses", guesses, sent_guesses), _check("votes", votes, sent_votes)


def _check(kind: str, rows, sent: dict[str, float]) -> StoredCheck:
    stored, per_round = defaultdict(list), defaultdict(int)
    for browser, round_key, value in rows:
        stored[browser].append(value)
        per_round[round_key] += 1
    missing = [b for b in sent if not stored.get(b)]
    duplicated = [b for b in sent if len(stored.get(b, [])) > 1]
    wrong = [
        b
        for b, value in sent.items()
        if len(stored.get(b, [])) == 1
        and value == value  # a vote whose T the page never showed (NaN) is checked by count
        and abs(stored[b][0] - value) > 1e-9
    ]
    once = sum(len(stored.get(b, [])) == 1 and b not in wrong for b in sent)
    strangers = [b for b in stored if b not in sent]
    return StoredCheck(kind, len(sent), once, missing, duplicated, wrong, strangers, per_round)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(logs: list[StudentLog], checks: tuple[StoredCheck, ...]) -> list[str]:
    """Per action: n, median, p95, max seconds, unfinished; then what was stored."""
    lines = [f"{'action':<10} {'n':>4} {'median':>7} {'p95':>6} {'max':>6} {'unfinished':>11}"]
    for name in ACTIONS:
        times = [log.seconds[name] for log in logs if name in log.seconds]
        unfinished = sum(name in log.unfinished for log in logs)
        median = statistics.median(times) if times else float("nan")
        lines.append(
            f"{name:<10} {len(times):>4} {median:>7.2f} {pct(times, 0.95):>6.2f} "
            f"{max(times, default=float('nan')):>6.2f} {unfinished:>6}/{len(logs)}"
        )
    for check in checks:
        rounds = ", ".join(f"{key}: {n}" for key, n in sorted(check.per_round.items())[:3])
        more = len(check.per_round) - 3
        rounds += f" (+{more} more)" if more > 0 else ""
        lines.append(
            f"{check.kind:<8} stored exactly once {check.exactly_once}/{check.expected}"
            f" (missing {len(check.missing)}, twice {len(check.duplicated)}, wrong value "
            f"{len(check.wrong_value)}, unknown ids {len(check.strangers)}); per round: {rounds}"
        )
    errors = [error for log in logs for error in log.errors]
    if errors:
        lines.append(f"errors: {len(errors)}, first: {errors[0][:200]}")
    return lines
