"""Admission for page runs: one at a time per server process, in arrival order, never a stampede.

Streamlit runs every visitor's script in its own thread, and under the GIL forty threads
running at once share one core by switching every few milliseconds: each run takes forty times
longer and the server thread that sends the results waits its turn among them. Queuing the runs
instead makes each finish in its own ~20 ms. Measured with 40 users on 2 cores
(benchmarks/classroom_load.py): median move 0.79 s -> 0.04 s, server CPU per move 38 -> 19 ms.

Past capacity the queue grows instead of the server collapsing:
- runs wait in arrival order (a ticket each) and none is ever let through for having waited
  long (the old 10 s time-out released every waiting run at once: median 10.4 s and 46-75 of
  160 moves lost with one busy thread on the machine, issue 17);
- a waiting run whose visitor moved again, or left, is dropped (Streamlit's own yield check
  raises its rerun/stop there); the newer run keeps the dropped run's place in the queue, so
  a student dragging a slider never goes to the back;
- a visitor kept waiting past BUSY_NOTE_SECONDS gets a "busy, one moment" note; the page
  keeps showing their last result meanwhile;
- a run holding the gate for more than STUCK_SECONDS (a bug, not load) lets at most one more
  run go beside it, so one stuck visitor cannot freeze the class.

Once the server has been idle for IDLE_TRIM_SECONDS after work, one background thread hands
freed memory back to the system (charlm.common.memory.return_free_memory), so that memory
settles after a class leaves instead of staying at its busiest figure.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable

from charlm.common.memory import return_free_memory

POLL_SECONDS = 0.25  # how often a waiting run checks whether its visitor moved on
BUSY_NOTE_SECONDS = 2.0
STUCK_SECONDS = 60.0
KEEP_PLACE_SECONDS = 5.0  # a superseded run's place waits this long for its successor
IDLE_TRIM_SECONDS = 1.0

_cond = threading.Condition()
_tickets = itertools.count()
_waiting: dict[int, str | None] = {}  # ticket -> session id, in arrival order
_active: dict[int, float] = {}  # ticket -> when it was admitted
_places: dict[str, tuple[int, float]] = {}  # session -> (ticket kept, when) for its next run
_last_run_ended: list[float | None] = [None]  # None: nothing ran since the last trim
_trimmer: list[threading.Thread] = []


def _trim_when_idle() -> None:
    """The trimmer thread's loop: after work, wait for an idle spell, then trim once."""
    while True:
        with _cond:
            while True:
                ended = _last_run_ended[0]
                idle = not _waiting and not _active
                if ended is not None and idle:
                    remaining = ended + IDLE_TRIM_SECONDS - time.monotonic()
                    if remaining <= 0:
                        _last_run_ended[0] = None
                        break
                    _cond.wait(remaining)
                else:
                    _cond.wait()
        return_free_memory()


def _start_trimmer() -> None:
    if not _trimmer:
        thread = threading.Thread(target=_trim_when_idle, name="charlm-trim", daemon=True)
        _trimmer.append(thread)
        thread.start()


def _admissible(ticket: int, now: float) -> bool:
    if min(_waiting) != ticket:
        return False
    if not _active:
        return True
    return len(_active) == 1 and now - min(_active.values()) > STUCK_SECONDS


def _take_ticket(session: str | None, now: float) -> int:
    kept = _places.pop(session, None) if session is not None else None
    for other, (_, when) in list(_places.items()):
        if now - when > KEEP_PLACE_SECONDS:
            del _places[other]
    if kept is not None and now - kept[1] <= KEEP_PLACE_SECONDS:
        return kept[0]
    return next(_tickets)


@contextlib.contextmanager
def admitted(
    session: str | None = None,
    yield_check: Callable[[], None] = lambda: None,
    on_busy: Callable[[], None] = lambda: None,
    superseded: tuple[type[BaseException], ...] = (),
):
    """Hold the page's run slot for the `with` body.

    `yield_check()` is called about every POLL_SECONDS while waiting and may raise to drop
    the run; if it raises one of `superseded`, the session's next run keeps this place.
    `on_busy()` is called once when the wait passes BUSY_NOTE_SECONDS."""
    start = time.monotonic()
    noted = False
    with _cond:
        _start_trimmer()
        ticket = _take_ticket(session, start)
        _waiting[ticket] = session
    try:
        while True:
            with _cond:
                now = time.monotonic()
                if _admissible(ticket, now):
                    del _waiting[ticket]
                    _active[ticket] = now
                    break
                _cond.wait(POLL_SECONDS)
            yield_check()  # outside the lock: it may raise to drop this run
            if not noted and time.monotonic() - start > BUSY_NOTE_SECONDS:
                noted = True
                on_busy()
    except BaseException as exc:
        with _cond:
            _waiting.pop(ticket, None)
            if session is not None and isinstance(exc, superseded):
                _places[session] = (ticket, time.monotonic())
            _cond.notify_all()
        raise
    try:
        yield
    finally:
        with _cond:
            del _active[ticket]
            _last_run_ended[0] = time.monotonic()
            _cond.notify_all()


def queue_length() -> int:
    """Runs waiting now (for benchmarks and tests)."""
    with _cond:
        return len(_waiting)


@contextlib.contextmanager
def one_run_at_a_time():
    """The page's run slot for this Streamlit script run (see the module docstring)."""
    import streamlit as st
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    from charlm.ui.strings import text

    ctx = get_script_run_ctx(suppress_warning=True)

    def busy() -> None:
        st.toast(text(st.session_state.get("lang", "en"), "busy_one_moment"), icon="⏳")

    with admitted(
        ctx.session_id if ctx else None,
        ctx.yield_check if ctx else (lambda: None),
        busy,
        (RerunException,),
    ):
        yield
