"""`classroom_load.py --class-activities`: run the class of class_activities.py against one
server, then check the results file it wrote. Prints per action (open, guess, activity switch,
vote) median / p95 / max seconds and unfinished, what was stored against what was sent, the
server's CPU per action and peak memory. Exits 1 when a submission was lost, stored twice,
stored with another value or under an unknown id, or an action never finished."""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import threading
import time
from pathlib import Path

from class_activities import (
    ClassOptions,
    StoredCheck,
    check_stored,
    class_activities,
    pct,
    report,
)
from server_procs import cpu_seconds

from charlm.serving.class_results import DB_NAME, GUESS_TEMPERATURES, ClassResults

VOTE_P95_TARGET = 1.0  # seconds, at 40 students (the target)
TEACHER_READ_SECONDS = 3.0  # the teacher's results panel refreshes this often


def add_class_arguments(parser) -> None:
    g = parser.add_argument_group("--class-activities: a class guesses and votes at once")
    g.add_argument("--class-activities", action="store_true")
    g.add_argument(
        "--spread", type=float, default=0.0, help="seconds within which a step starts for all"
    )
    g.add_argument(
        "--self-paced",
        action="store_true",
        help="each student guesses a passage of their own (default: one teacher-led round)",
    )


class TeacherPanel:
    """Reads the class's summary every few seconds, as the teacher's open panel does."""

    def __init__(self, db: Path):
        self.results, self.reads = ClassResults(db), []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            start = time.perf_counter()
            self.results.summary()
            self.reads.append(time.perf_counter() - start)
            self._stop.wait(TEACHER_READ_SECONDS)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


async def warm_up(port: int, options: ClassOptions) -> None:
    """One browser opens both activities without answering: the passage and the four texts
    are generated once, as when the teacher opens the page before the class."""
    await class_activities(port, 1, options, seed=-1, answer=False)


def measure(load, port: int, server_pid: int, db: Path, users: int, options, seed: int):
    """(student logs, (guesses, votes) checks, lines on server CPU, memory, teacher reads)."""
    cpu0 = cpu_seconds(server_pid)
    start = time.monotonic()
    with load.MemoryWatch(server_pid) as watch, TeacherPanel(db) as teacher:
        logs = asyncio.run(class_activities(port, users, options, seed))
    wall, cpu = time.monotonic() - start, cpu_seconds(server_pid) - cpu0
    actions = sum(len(log.seconds) for log in logs)
    reads = sorted(teacher.reads)
    lines = [
        f"server CPU {cpu:.1f} s over {wall:.0f} s: {1000 * cpu / max(actions, 1):.0f} ms per "
        f"action ({actions} actions); peak memory {watch.peak:.0f} MB",
        f"teacher's summary read every {TEACHER_READ_SECONDS:g} s: "
        f"max {1000 * reads[-1] if reads else float('nan'):.1f} ms ({len(reads)} reads)",
    ]
    return logs, check_stored(db, logs), lines


def passed(logs, checks: tuple[StoredCheck, ...]) -> bool:
    return all(check.ok for check in checks) and not any(log.unfinished for log in logs)


def one_class(load, port, server_pid, db: Path, users: int, args) -> bool:
    """A fresh results file's worth of class (and a new teacher-led round); prints the
    figures; True when every submission was stored exactly once and every action finished."""
    options = ClassOptions(spread=args.spread, timeout=args.timeout)
    results = ClassResults(db)
    results.clear()
    if not args.self_paced:  # started as the teacher's button does, before the class looks
        rng = random.Random(args.seed)
        # on the model the page opens with (the bundled default), as the teacher's page would
        seed = rng.randrange(2**31 - 1)
        results.start_round(rng.choice(GUESS_TEMPERATURES), seed, "nietzsche-seed")
    asyncio.run(warm_up(port, options))
    logs, checks, lines = measure(load, port, server_pid, db, users, options, args.seed)
    print(f"\n{users} students open the Class view, guess, switch to the vote, vote")
    print("\n".join(report(logs, checks) + lines), flush=True)
    votes = [log.seconds["vote"] for log in logs if "vote" in log.seconds]
    target = f"target <= {VOTE_P95_TARGET:g} s at 40 students"
    print(f"vote p95 {pct(votes, 0.95):.2f} s ({target})")
    return passed(logs, checks)


def run_class_activities(args, load) -> int:
    """The --class-activities mode: 0 when every class stored every submission exactly once."""
    ok = True
    with tempfile.TemporaryDirectory(prefix="charlm-class-") as folder:
        runs_dir = Path(folder) / "runs"
        env = {**os.environ, "CHARLM_RUNS": str(runs_dir)}
        env.pop("CHARLM_CLASS_DB", None)  # the results go to runs/, where the check reads them
        port = load.free_port()
        server = load.start_server(port, env, processes=args.processes, proxy=args.proxy)
        try:
            kind = "self-paced passages" if args.self_paced else "one teacher-led round"
            print(f"CPUs {os.cpu_count()}; the Class view, {kind}; every step starts for all "
                  f"students within {args.spread:g} s")  # fmt: skip
            for users in args.users or [40]:
                ok &= one_class(load, port, server.pid, runs_dir / DB_NAME, users, args)
        finally:
            server.terminate()
            server.wait(timeout=20)
    print("every submission stored exactly once" if ok else "FAILED: see above")
    return 0 if ok else 1
