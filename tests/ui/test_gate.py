"""The page's run gate: arrival order, no stampede, superseded runs dropped in place."""

import threading
import time

import pytest

from charlm.ui import gate


class Superseded(Exception):
    pass


@pytest.fixture(autouse=True)
def fast_gate(monkeypatch):
    monkeypatch.setattr(gate, "POLL_SECONDS", 0.02, raising=False)
    monkeypatch.setattr(gate, "STUCK_SECONDS", 0.3, raising=False)
    monkeypatch.setattr(gate, "WAIT_SECONDS", 0.3, raising=False)  # the old gate's time-out


def wait_for_queue(length: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while gate.queue_length() < length:
        assert time.monotonic() < deadline, f"queue never reached {length}"
        time.sleep(0.005)


def test_a_long_queue_never_stampedes():
    """One run holds the slot for 5x the stuck limit while eight wait: at most one more may go
    beside it (the old gate let all eight go at once after its time-out)."""
    holding, release = threading.Event(), threading.Event()
    lock = threading.Lock()
    running, most = [0], [0]

    def holder():
        with gate.one_run_at_a_time():
            holding.set()
            release.wait(5)

    def visitor():
        with gate.one_run_at_a_time():
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1

    first = threading.Thread(target=holder)
    first.start()
    holding.wait(5)
    others = [threading.Thread(target=visitor) for _ in range(8)]
    for thread in others:
        thread.start()
    time.sleep(1.5)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert most[0] == 1  # the visitors themselves never ran two at a time
    assert gate.queue_length() == 0


def queue_behind_a_holder(names: list[str], before_release=lambda: None) -> list[str]:
    """One run holds the slot while `names` queue in that order; then it lets go. Returns the
    order in which they ran. `before_release()` runs once all are queued."""
    order, release = [], threading.Event()

    def holder():
        with gate.admitted("holder"):
            release.wait(5)

    def visitor(name):
        with gate.admitted(name):
            order.append(name)

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    wait_for_queue(0)
    time.sleep(0.05)
    for i, name in enumerate(names):
        threads.append(threading.Thread(target=visitor, args=(name,)))
        threads[-1].start()
        wait_for_queue(i + 1)
    before_release()
    release.set()
    for thread in threads:
        thread.join(10)
    return order


def test_runs_are_admitted_in_arrival_order():
    names = [f"s{i}" for i in range(6)]
    assert queue_behind_a_holder(names) == names


def test_a_released_slot_wakes_only_the_run_that_goes_next(monkeypatch):
    """30 queued runs that never poll (POLL_SECONDS 30 s) all go, in order, within seconds:
    each release wakes the next run itself. And only that run looks at the queue: the old
    gate woke every waiting run on each release, 30 + 29 + ... = 465 looks for 30 runs."""
    monkeypatch.setattr(gate, "POLL_SECONDS", 30.0)
    looks = [0]
    admissible = gate._admissible

    def counted(ticket, now):
        looks[0] += 1
        return admissible(ticket, now)

    monkeypatch.setattr(gate, "_admissible", counted)
    names = [f"s{i}" for i in range(30)]
    released = []

    def count_from_here():
        looks[0] = 0
        released.append(time.monotonic())

    assert queue_behind_a_holder(names, count_from_here) == names
    assert time.monotonic() - released[0] < 5
    assert looks[0] <= 2 * len(names)


def test_a_superseded_run_is_dropped_and_its_successor_keeps_the_place():
    order, release, drop = [], threading.Event(), threading.Event()
    dropped = []

    def holder():
        with gate.admitted("holder"):
            release.wait(5)

    def check():
        if drop.is_set():
            drop.clear()
            raise Superseded

    def mover():  # the student who moves twice: the first run is dropped while waiting
        try:
            with gate.admitted("mover", check, superseded=(Superseded,)):
                order.append("mover-first")
        except Superseded:
            dropped.append(True)
        with gate.admitted("mover"):
            order.append("mover-second")

    def other():
        with gate.admitted("other"):
            order.append("other")

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    time.sleep(0.05)
    threads.append(threading.Thread(target=mover))
    threads[-1].start()
    wait_for_queue(1)
    threads.append(threading.Thread(target=other))
    threads[-1].start()
    wait_for_queue(2)
    drop.set()
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(5)
    assert dropped == [True]
    assert order == ["mover-second", "other"]


def test_a_visitor_kept_waiting_gets_one_busy_note(monkeypatch):
    monkeypatch.setattr(gate, "BUSY_NOTE_SECONDS", 0.1)
    notes, release = [], threading.Event()

    def holder():
        with gate.admitted("holder"):
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    time.sleep(0.05)

    def waiting():
        with gate.admitted("w", on_busy=lambda: notes.append(1)):
            pass

    waiter = threading.Thread(target=waiting)
    waiter.start()
    time.sleep(0.5)
    release.set()
    thread.join(5)
    waiter.join(5)
    assert notes == [1]


def test_memory_is_handed_back_once_after_the_server_goes_idle(monkeypatch):
    """Runs, then an idle spell: one trim; more runs without idling: none; then one again."""
    trims = []
    monkeypatch.setattr(gate, "IDLE_TRIM_SECONDS", 0.1)
    monkeypatch.setattr(gate, "return_free_memory", lambda: trims.append(time.monotonic()))
    for _ in range(3):
        with gate.admitted():
            time.sleep(0.02)
    ended = time.monotonic()
    deadline = ended + 3
    while not trims and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(trims) == 1 and trims[0] - ended >= 0.09  # only after the idle spell
    time.sleep(0.3)
    assert len(trims) == 1  # idle without new work: nothing more to hand back
    with gate.admitted():
        pass
    deadline = time.monotonic() + 3
    while len(trims) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(trims) == 2


def test_a_run_computing_lets_the_next_page_draw_and_then_goes_before_later_runs():
    """A computes outside the page slot; B (waiting) draws meanwhile; A takes the slot back
    before C, who arrived while A computed."""
    events, computing, finish = [], threading.Event(), threading.Event()

    def a():
        with gate.admitted("a"):
            events.append("a page")
            with gate.heavy_work():
                computing.set()
                finish.wait(5)
            events.append("a rest")

    def visitor(name):
        with gate.admitted(name):
            events.append(name)

    first = threading.Thread(target=a)
    first.start()
    assert computing.wait(5)
    b = threading.Thread(target=visitor, args=("b",))
    b.start()
    b.join(5)
    assert events == ["a page", "b"]  # B did not wait for A's computation
    holder_release = threading.Event()

    def holder():
        with gate.admitted("holder"):
            holder_release.wait(5)

    h = threading.Thread(target=holder)
    h.start()
    time.sleep(0.05)  # the holder has the page slot
    finish.set()  # A queues to come back (older ticket)...
    wait_for_queue(1)
    c = threading.Thread(target=visitor, args=("c",))
    c.start()  # ... and C queues after it
    wait_for_queue(2)
    holder_release.set()
    for thread in (first, h, c):
        thread.join(5)
    assert events == ["a page", "b", "a rest", "c"]
    assert gate.queue_length() == 0


def test_at_most_the_compute_slots_compute_at_once_and_a_failure_frees_everything():
    inside, most, lock = [0], [0], threading.Lock()

    def run(fail):
        with gate.admitted():
            try:
                with gate.heavy_work():
                    with lock:
                        inside[0] += 1
                        most[0] = max(most[0], inside[0])
                    time.sleep(0.05)
                    with lock:
                        inside[0] -= 1
                    if fail:
                        raise ValueError("bad input")
            except ValueError:
                pass

    threads = [threading.Thread(target=run, args=(i % 3 == 0,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most[0] == gate.COMPUTE_SLOTS
    assert gate.queue_length() == 0 and not gate._active and gate._computing[0] == 0
    with gate.admitted():  # still usable
        pass


def test_a_run_waiting_for_a_compute_slot_hears_busy_and_can_be_dropped(monkeypatch):
    """Every compute slot is taken by long generations: a third run waiting for one gets the
    busy note (it used to wait silently for ever), and is dropped when its visitor moves on
    (it used to compute for a page nobody would see), leaving the visitor its place."""
    monkeypatch.setattr(gate, "BUSY_NOTE_SECONDS", 0.1)
    release, computing = threading.Event(), threading.Semaphore(0)
    notes, outcome, move_on = [], [], threading.Event()

    def long_generation(name):
        with gate.admitted(name):
            with gate.heavy_work():
                computing.release()
                release.wait(5)

    def check():
        if move_on.is_set():
            raise Superseded

    def waiting_visitor():
        try:
            with gate.admitted("waiter", check, lambda: notes.append("busy"), (Superseded,)):
                with gate.heavy_work():
                    outcome.append("computed")
        except Superseded:
            outcome.append("dropped")

    holders = [threading.Thread(target=long_generation, args=(f"g{i}",)) for i in range(2)]
    for thread in holders:
        thread.start()
    for _ in holders:
        assert computing.acquire(timeout=5)
    waiter = threading.Thread(target=waiting_visitor)
    waiter.start()
    deadline = time.monotonic() + 5
    while not notes and time.monotonic() < deadline:
        time.sleep(0.01)
    assert notes == ["busy"]
    move_on.set()
    waiter.join(5)
    assert outcome == ["dropped"]
    assert "waiter" in gate._places  # the visitor's next run keeps the place
    release.set()
    for thread in holders:
        thread.join(5)
    assert gate._computing[0] == 0 and not gate._active and gate.queue_length() == 0


def test_runs_waiting_for_a_compute_slot_get_it_in_arrival_order(monkeypatch):
    """Each waiting run polls (to hear "busy" and be dropped); polling must not cost it its
    place: a polled semaphore sent the run to the back each time (p95 1.35 -> 2.31 s)."""
    monkeypatch.setattr(gate, "COMPUTE_SLOTS", 1)  # one at a time: the order is strict
    release, computing, order = threading.Event(), threading.Semaphore(0), []

    def long_generation(name):
        with gate.admitted(name):
            with gate.heavy_work():
                computing.release()
                release.wait(5)

    def visitor(name):
        with gate.admitted(name):
            with gate.heavy_work():
                order.append(name)
                time.sleep(0.03)  # several polls of the others

    holders = [threading.Thread(target=long_generation, args=("g",))]
    holders[0].start()
    assert computing.acquire(timeout=5)
    names = [f"v{i}" for i in range(6)]
    visitors = []
    for i, name in enumerate(names):
        visitors.append(threading.Thread(target=visitor, args=(name,)))
        visitors[-1].start()
        deadline = time.monotonic() + 5
        while len(gate._compute_waiting) < i + 1:
            assert time.monotonic() < deadline
            time.sleep(0.005)
    time.sleep(0.1)  # every waiting run has polled a few times
    release.set()
    for thread in holders + visitors:
        thread.join(5)
    assert order == names


def test_heavy_work_outside_a_page_run_just_runs():
    with gate.heavy_work():
        value = 42
    assert value == 42


def test_a_fragment_inside_a_page_run_runs_in_its_slot():
    """A page run draws the view's fragment, which asks for the slot again: it must not wait
    for itself (the old gate waited for ever), and the slot is free once the page run ends."""
    steps = []

    def page_run():
        with gate.admitted("page"):
            with gate.admitted("page"):  # the fragment, same thread
                steps.append("fragment drawn")
        steps.append("page ended")

    thread = threading.Thread(target=page_run, daemon=True)
    thread.start()
    thread.join(3)
    assert steps == ["fragment drawn", "page ended"]
    admitted = []

    def other_run():
        with gate.admitted("other"):
            admitted.append(True)

    other = threading.Thread(target=other_run, daemon=True)
    other.start()
    other.join(3)
    assert admitted == [True]  # at once: nothing still holds the slot
