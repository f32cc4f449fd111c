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

A released slot wakes only the run that may take it (each waiting run sleeps on a condition of
its own): waking every waiting run to let one go cost each release one GIL hand-off per waiting
thread, and at 120 students most of the server's time (benchmarks/classroom_load.py).

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
from dataclasses import dataclass

from charlm.common.memory import return_free_memory

POLL_SECONDS = 0.25  # how often a waiting run checks whether its visitor moved on
BUSY_NOTE_SECONDS = 2.0
STUCK_SECONDS = 60.0
KEEP_PLACE_SECONDS = 5.0  # a superseded run's place waits this long for its successor
IDLE_TRIM_SECONDS = 1.0
# Generation and sweeps spend most of their time in BLAS, which releases the GIL: two of them
# use both cores of a 2-core machine while the page slot draws another visitor's page.
COMPUTE_SLOTS = 2

_lock = threading.Lock()
_trim_wakeup = threading.Condition(_lock)  # the trimmer's own: runs ending wake it
_tickets = itertools.count()
_waiting: dict[int, threading.Condition] = {}  # ticket -> the condition its run sleeps on
_active: dict[int, float] = {}  # ticket -> when it was admitted
_places: dict[str, tuple[int, float]] = {}  # session -> (ticket kept, when) for its next run
_last_run_ended: list[float | None] = [None]  # None: nothing ran since the last trim
_trimmer: list[threading.Thread] = []


def _trim_when_idle() -> None:
    """The trimmer thread's loop: after work, wait for an idle spell, then trim once."""
    while True:
        with _lock:
            while True:
                ended = _last_run_ended[0]
                idle = not _waiting and not _active and not _computing[0]
                if ended is not None and idle:
                    remaining = ended + IDLE_TRIM_SECONDS - time.monotonic()
                    if remaining <= 0:
                        _last_run_ended[0] = None
                        break
                    _trim_wakeup.wait(remaining)
                else:
                    _trim_wakeup.wait()
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


def _wake_next() -> None:
    """After the slot or the queue changed (under _lock): wake the one run that may go now,
    and the trimmer. Every other waiting run sleeps on until its poll."""
    if _waiting and not _active:
        _waiting[min(_waiting)].notify()
    _trim_wakeup.notify()


def _take_ticket(session: str | None, now: float) -> int:
    kept = _places.pop(session, None) if session is not None else None
    for other, (_, when) in list(_places.items()):
        if now - when > KEEP_PLACE_SECONDS:
            del _places[other]
    if kept is not None and now - kept[1] <= KEEP_PLACE_SECONDS:
        return kept[0]
    return next(_tickets)


@dataclass
class _Run:
    ticket: int
    session: str | None
    yield_check: Callable[[], None]
    superseded: tuple[type[BaseException], ...]
    on_busy: Callable[[], None]
    noted: bool = False  # the busy note was given (once a run)

    def note_if_long(self, waiting_since: float) -> None:
        if not self.noted and time.monotonic() - waiting_since > BUSY_NOTE_SECONDS:
            self.noted = True
            self.on_busy()


_local = threading.local()  # .run: the page run this thread holds, if any
_computing = [0]  # runs inside heavy_work now (waiting for a compute slot or computing)
_compute_waiting: dict[int, threading.Condition] = {}  # ticket -> its condition, for a slot
_compute_holders = [0]  # runs holding a compute slot


def _wait_for_slot(run: _Run, start: float) -> None:
    """Wait (queued as run.ticket) until admitted; on any exception leave the queue, keeping
    the session's place when the run was superseded."""
    try:
        while True:
            with _lock:
                now = time.monotonic()
                if _admissible(run.ticket, now):
                    del _waiting[run.ticket]
                    _active[run.ticket] = now
                    return
                _waiting[run.ticket].wait(POLL_SECONDS)
            run.yield_check()  # outside the lock: it may raise to drop this run
            run.note_if_long(start)
    except BaseException as exc:
        with _lock:
            _waiting.pop(run.ticket, None)
            _keep_place_if_superseded(run, exc)
            _wake_next()
        raise


def _keep_place_if_superseded(run: _Run, exc: BaseException) -> None:
    """(Under _lock.) A run dropped because its visitor moved again leaves its place to the
    visitor's next run."""
    if run.session is not None and isinstance(exc, run.superseded):
        _places[run.session] = (run.ticket, time.monotonic())


def _take_compute_slot(run: _Run) -> None:
    """Wait for one of the COMPUTE_SLOTS like a queued run, oldest ticket first: the visitor
    may move on (the run is dropped) and hears "busy" after BUSY_NOTE_SECONDS (a class of
    heavy generations waits here, not in the page queue). A semaphore polled with a time-out
    sent a run to the back at every poll: the mix --seed 0's p95 went 1.35 -> 1.72-2.31 s."""
    start = time.monotonic()
    with _lock:
        _compute_waiting[run.ticket] = threading.Condition(_lock)
    try:
        while True:
            with _lock:
                if _compute_holders[0] < COMPUTE_SLOTS and min(_compute_waiting) == run.ticket:
                    del _compute_waiting[run.ticket]
                    _compute_holders[0] += 1
                    _wake_next_computation()  # a second free slot goes to the next
                    return
                _compute_waiting[run.ticket].wait(POLL_SECONDS)
            run.yield_check()  # outside the lock: it may raise to drop this run
            run.note_if_long(start)
    except BaseException:
        with _lock:
            _compute_waiting.pop(run.ticket, None)
            _wake_next_computation()
        raise


def _release_compute_slot() -> None:
    with _lock:
        _compute_holders[0] -= 1
        _wake_next_computation()


def _wake_next_computation() -> None:
    """(Under _lock.) Wake the oldest run waiting for a compute slot, when one is free."""
    if _compute_waiting and _compute_holders[0] < COMPUTE_SLOTS:
        _compute_waiting[min(_compute_waiting)].notify()


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
    `on_busy()` is called once when the wait passes BUSY_NOTE_SECONDS. Inside a run that
    holds the slot (a page run drawing a fragment) it just runs the body."""
    if getattr(_local, "run", None) is not None:
        yield
        return
    start = time.monotonic()
    with _lock:
        _start_trimmer()
        run = _Run(_take_ticket(session, start), session, yield_check, superseded, on_busy)
        _waiting[run.ticket] = threading.Condition(_lock)
    _wait_for_slot(run, start)
    _local.run = run
    try:
        yield
    finally:
        _local.run = None
        with _lock:
            _active.pop(run.ticket, None)
            _last_run_ended[0] = time.monotonic()
            _wake_next()


@contextlib.contextmanager
def heavy_work():
    """Inside a page run: NumPy work that releases the GIL (a generation, a sweep) runs
    outside the page slot, so the next run draws its page meanwhile; at most COMPUTE_SLOTS
    such jobs at once. Afterwards the run takes the slot back ahead of every run that came
    later (its ticket is older). It may then be dropped like a waiting run (yield_check).
    Outside a page run it just runs the body."""
    run = getattr(_local, "run", None)
    if run is None:
        yield
        return
    with _lock:
        del _active[run.ticket]
        _computing[0] += 1
        _wake_next()
    try:
        _take_compute_slot(run)
        try:
            yield
        finally:
            _release_compute_slot()
    except BaseException as exc:
        with _lock:
            _computing[0] -= 1
            _keep_place_if_superseded(run, exc)
            _wake_next()
        raise
    with _lock:
        _computing[0] -= 1
        _waiting[run.ticket] = threading.Condition(_lock)
    _wait_for_slot(run, time.monotonic())


def queue_length() -> int:
    """Runs waiting now (for benchmarks and tests)."""
    with _lock:
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
