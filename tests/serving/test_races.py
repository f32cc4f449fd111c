"""Server processes racing on one runs/ folder: real processes released together by a barrier.

`python -m charlm serve` runs several Streamlit processes on one runs/. These tests play two of
them: both press Train within the same millisecond, or one evicts old runs while the other makes
a new one, 50 times each; both start the queue's dispatcher at once, 20 times; and a killed
trainer is judged while another run trains.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

from charlm.serving import jobs, ownership, run_queue

TRIES = 50
TEXT = "the quick brown fox jumps over the lazy dog. " * 400  # 18,000 characters
OWNERS = ("a" * 32, "b" * 32)
SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter, as a server process is


def _settings(runs: Path, **changes):
    from charlm.common.settings import load_settings

    base = {"run_interval_s": 0, "max_queue": 10, "runs_budget_mb": 10_000}
    return dataclasses.replace(load_settings(), runs_dir=runs, **{**base, **changes})


def _no_dispatcher() -> None:
    """The races are about admission: no trainer starts here."""
    run_queue.ensure_dispatcher = lambda *args, **kwargs: False


def _outcome(call, *args) -> tuple:
    try:
        run_dir, place = call(*args)
        return ("queued", run_dir.name, place)
    except run_queue.RequestRefused as exc:
        return ("refused", type(exc).__name__, str(exc))
    except BaseException as exc:  # anything else reached a user: the test fails on it
        return ("error", repr(exc), traceback.format_exc())


# The variant of try i: who asks, and how long the queue may be.
def _variant(i: int) -> tuple[tuple[str, str], int]:
    return [(OWNERS, 10), ((OWNERS[0], OWNERS[0]), 10), (OWNERS, 1)][i % 3]


def _press_train(root: str, me: int, barrier, results) -> None:
    _no_dispatcher()
    for i in range(TRIES):
        owners, max_queue = _variant(i)
        settings = _settings(Path(root) / f"try-{i}", max_queue=max_queue)
        barrier.wait()
        upload = ("lesson.txt", TEXT)
        outcome = _outcome(jobs.request_run, settings, "quick", 1, upload, "lesson", owners[me])
        results.put((i, me, outcome))


def _run_workers(target, args_of, timeout=120, tries=TRIES) -> list[tuple]:
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    workers = [SPAWN.Process(target=target, args=(*args_of(me), barrier, results)) for me in (0, 1)]
    for worker in workers:
        worker.start()
    got = [results.get(timeout=timeout) for _ in range(tries * 2)]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    return got


def test_two_processes_pressing_train_together_never_share_a_place(tmp_path):
    got = _run_workers(_press_train, lambda me: (str(tmp_path), me))
    errors = [r for _, _, r in got if r[0] == "error"]
    assert not errors, "\n".join(r[2] for r in errors[:2])
    duplicates, lost = [], []
    for i in range(TRIES):
        runs = tmp_path / f"try-{i}"
        outcomes = [r for t, _, r in got if t == i]
        queued = [r for r in outcomes if r[0] == "queued"]
        owners, max_queue = _variant(i)
        expected = 2 if owners[0] != owners[1] and max_queue > 1 else 1
        waiting = [r.run_dir.name for r in run_queue.pending(runs)]
        if sorted(place for *_, place in queued) != list(range(1, expected + 1)):
            duplicates.append((i, outcomes))
        if sorted(name for _, name, _ in queued) != sorted(waiting) or len(waiting) != expected:
            lost.append((i, outcomes, waiting))
        for name in waiting:
            access = ownership.read_access(runs / name)
            assert access.private and access.owner in OWNERS
            assert (runs / name / jobs.UPLOAD_FILE).read_text(encoding="utf-8") == TEXT
            assert jobs.read_run(runs / name).status == "queued"
        assert {p.name for p in runs.iterdir() if p.is_dir()} == set(waiting)  # nothing orphaned
    assert duplicates == [] and lost == []


OLD_RUNS = 3
BUDGET_MB = 0.001  # 1 kB: smaller than any run, so only the rules keep a run


def _finished_old_runs(runs: Path) -> None:
    from charlm.common import atomic

    for k in range(OLD_RUNS):
        run = runs / f"old-{k}"
        atomic.write_json(run / "run.json", {"name": run.name, "recipe": {"name": "seed"}})
        atomic.write_json(run / "progress.json", {"status": "done", "epoch": 1, "epochs": 1})
        (run / "weights.bin").write_bytes(b"x" * 200_000)
        ownership.write_access(run, ownership.Access(owner=None, requested=1000.0 + k))


def _create_or_evict(root: str, me: int, barrier, results) -> None:
    """Worker 0 asks for a private run; worker 1 trims runs/ to its budget until that is done."""
    _no_dispatcher()
    for i in range(TRIES):
        runs = Path(root) / f"try-{i}"
        settings = _settings(runs, runs_budget_mb=BUDGET_MB)
        done = runs / ".request-done"
        barrier.wait()
        if me == 0:
            upload = ("diary.txt", TEXT)
            outcome = _outcome(jobs.request_run, settings, "quick", 1, upload, "diary", OWNERS[0])
            done.touch()
        else:
            outcome = _outcome(_evict_until, runs, done)
        results.put((i, me, outcome))


def _evict_until(runs: Path, done: Path) -> tuple[Path, int]:
    """Trim runs/ to a budget it cannot meet, again and again, until the request is done."""
    from charlm.serving import quotas

    removed = quotas.trim_to_budget(runs, BUDGET_MB)
    while not done.exists():
        removed += quotas.trim_to_budget(runs, BUDGET_MB)
    return runs, len(removed)


def test_eviction_never_takes_a_run_being_made_by_another_process(tmp_path):
    for i in range(TRIES):
        _finished_old_runs(tmp_path / f"try-{i}")
    got = _run_workers(_create_or_evict, lambda me: (str(tmp_path), me))
    errors = [r for _, _, r in got if r[0] == "error"]
    assert not errors, "\n".join(r[2] for r in errors[:2])
    lost = []
    for i in range(TRIES):
        runs = tmp_path / f"try-{i}"
        request = next(r for t, me, r in got if t == i and me == 0)
        name = request[1]
        run = runs / name
        access = ownership.read_access(run)
        intact = (
            request[0] == "queued"
            and (run / jobs.UPLOAD_FILE).is_file()
            and (run / jobs.UPLOAD_FILE).read_text(encoding="utf-8") == TEXT
            and access.private
            and access.owner == OWNERS[0]
            and [r.run_dir.name for r in run_queue.pending(runs)] == [name]
        )
        if not intact:
            lost.append((i, request))
    assert lost == []


DISPATCH_TRIES = 20


class _FakeTrainer:
    """Stands in for `python -m charlm train` (a Popen): runs TRAINS_S and ends well."""

    returncode = 0

    def __init__(self):
        self._ends = time.monotonic() + TRAINS_S

    def poll(self):
        return 0 if time.monotonic() >= self._ends else None

    def send_signal(self, sig) -> None:
        pass


TRAINS_S = 0.2


def _dispatch_together(root: str, me: int, barrier, results) -> None:
    """Both server processes saw requests waiting and no dispatcher, and each started one."""
    started: list[tuple[str, float]] = []  # (run, when its trainer started)

    def fake_trainer(run_dir, args):
        started.append((Path(run_dir).name, time.time()))
        return _FakeTrainer()

    run_queue.run_trainer = fake_trainer
    for i in range(DISPATCH_TRIES):
        barrier.wait()
        try:
            ran = run_queue.dispatch(Path(root) / f"try-{i}", max_seconds=60, poll=0.02)
            results.put((i, me, (ran, list(started))))
        except BaseException:
            results.put((i, me, ("error", traceback.format_exc())))
        started.clear()


def test_two_dispatchers_started_at_once_run_each_request_once_one_at_a_time(tmp_path):
    queued = {}
    for i in range(DISPATCH_TRIES):
        runs = tmp_path / f"try-{i}"
        names = [
            run_queue.reserve(runs, "lesson", owner, False, 10, 0, time.time()) for owner in OWNERS
        ]
        for name in names:
            run_queue.ready(runs, name, ["--recipe=quick"])
        queued[i] = names
    got = _run_workers(_dispatch_together, lambda me: (str(tmp_path), me), tries=DISPATCH_TRIES)
    errors = [r[1] for _, _, r in got if r[0] == "error"]
    assert not errors, errors[0]
    for i, names in queued.items():
        starts = sorted((when, name) for t, _, (_, seen) in got if t == i for name, when in seen)
        assert [name for _, name in starts] == names, (i, starts)  # each once, in queue order
        gaps = [later - earlier for (earlier, _), (later, _) in zip(starts, starts[1:])]
        assert min(gaps) >= TRAINS_S - 0.01, (i, gaps)  # the second after the first ended
        assert sum(ran for t, _, (ran, _) in got if t == i) == 2
        assert run_queue.pending(tmp_path / f"try-{i}") == []


def _hold_lock(path: Path) -> subprocess.Popen:
    """Another process holding a file lock until killed (a trainer, as the OS sees its lock)."""
    code = (
        "import sys, time\nfrom filelock import FileLock\n"
        "lock = FileLock(sys.argv[1]); lock.acquire()\nprint('held', flush=True)\ntime.sleep(300)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE)
    assert holder.stdout.readline().strip() == b"held"
    return holder


def test_a_killed_run_reads_interrupted_while_another_run_trains(isolated_runs, tiny_corpus):
    from charlm.training.train import run_lock

    victim = jobs.start_run(
        isolated_runs, "seed", 50, tiny_corpus, "victim", extra_args=("--units", "16")
    )
    deadline = time.monotonic() + 120
    while jobs.read_run(victim).status not in {"starting", "running"}:
        assert time.monotonic() < deadline, jobs.read_run(victim).log_tail()
        time.sleep(0.05)
    os.kill(jobs.read_run(victim).progress["pid"], signal.SIGKILL)
    time.sleep(0.5)  # the kernel has dropped the dead trainer's locks
    other = _hold_lock(Path(run_lock(isolated_runs).lock_file))  # another run trains now
    try:
        state = jobs.read_run(victim)
        assert state.status == "interrupted" and not state.active
        assert jobs.cancel_run(victim) is False  # nothing to stop: the page says so
    finally:
        other.kill()
        other.wait()


def test_cancel_of_a_run_whose_trainer_died_says_so(app_env, isolated_runs, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from charlm.common import atomic
    from charlm.training import runfiles
    from charlm.ui import identity

    token = "owner-token-aaaaaaaaaaaaaaaaaaaaaaaa"
    run = isolated_runs / "watched"
    atomic.write_json(run / "run.json", {"name": "watched", "recipe": {"name": "seed"}})
    trainer = _hold_lock(run / runfiles.TRAINER_LOCK_FILE)
    atomic.write_json(
        run / "progress.json", {"status": "running", "epoch": 0, "epochs": 3, "pid": trainer.pid}
    )
    ownership.write_access(run, ownership.new_access(ownership.owner_id(token), private=False))
    monkeypatch.setattr(identity, "read_cookie", lambda: token)
    monkeypatch.setenv("CHARLM_NO_AUTORERUN", "1")
    app = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
    at = AppTest.from_file(app, default_timeout=60)
    at.query_params["view"] = "train"
    at.run()
    assert "cancel_run" in {b.key for b in at.button}  # it is running
    trainer.kill()  # killed between the page's draw and the click
    trainer.wait()
    at.button(key="cancel_run").click().run()
    assert not at.exception
    assert any("not running" in w.value for w in at.warning)
    assert not any("next batch" in i.value for i in at.info)
