"""40 students guess and vote at once, straight on the Class view's storage layer.

Each student is a thread; the threads are spread over several processes (several server
processes sharing one results file), and all start on one barrier. Every student submits a
guess and a vote, and resends each (a double click), while the teacher's panel reads the
summary every 3 s. Prints how many were stored (each must be stored exactly once) and the
latency of a submission.

    .venv/bin/python benchmarks/class_votes.py [--students 40] [--processes 2] [--rounds 5]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from charlm.serving.class_results import ClassResults  # noqa: E402

TEMPERATURES = (0.2, 0.5, 1.0, 1.5)
VOTES = (0.2, 0.5, 1.0, 1.2)
MODEL = "nietzsche-seed"  # every answer records its model; one model for the whole class


def student(results, who: int, round_no: int, round_key: str, barrier, latencies: list) -> None:
    browser = f"browser-{who:03d}"
    barrier.wait()
    for kind in ("guess", "vote"):
        submission = f"{kind}-{round_no}-{who}"
        for _ in range(2):  # the second is a resent click: must change nothing
            start = time.perf_counter()
            if kind == "guess":
                results.add_guess(
                    submission, round_key, browser, 0.5, TEMPERATURES[who % 4], model=MODEL
                )
            else:
                poll, vote = f"poll-{round_no}", VOTES[who % 4]
                results.add_vote(submission, poll, browser, vote, model=MODEL)
            latencies.append(time.perf_counter() - start)


def server_process(path, students, round_no, round_key, barrier, out) -> None:
    """One server process: a thread per student it serves."""
    results = ClassResults(path)
    latencies: list[float] = []
    threads = [
        threading.Thread(
            target=student, args=(results, who, round_no, round_key, barrier, latencies)
        )
        for who in students
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(latencies)


def teacher(path, stop: threading.Event, reads: list) -> None:
    results = ClassResults(path)
    while not stop.is_set():
        start = time.perf_counter()
        results.summary()
        reads.append(time.perf_counter() - start)
        stop.wait(3.0)


def one_round(path, students: int, processes: int, round_no: int) -> list[float]:
    # The teacher starts the round first: a guess for a round that is not open is refused.
    round_key = ClassResults(path).start_round(0.5, round_no, MODEL).key
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(students), ctx.Queue()
    groups = [list(range(students))[i::processes] for i in range(processes)]
    workers = [
        ctx.Process(target=server_process, args=(path, group, round_no, round_key, barrier, out))
        for group in groups
    ]
    for worker in workers:
        worker.start()
    latencies = [x for _ in workers for x in out.get(timeout=120)]
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0, "a server process failed"
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "class.sqlite3"
        results = ClassResults(path)
        stop, reads = threading.Event(), []
        panel = threading.Thread(target=teacher, args=(path, stop, reads))
        panel.start()
        latencies = []
        for round_no in range(args.rounds):
            latencies += one_round(path, args.students, args.processes, round_no)
        stop.set()
        panel.join()
        guesses, votes = results.counts()
    expected = args.students * args.rounds
    ms = np.array(latencies) * 1000
    print(
        f"{args.students} students in {args.processes} server processes, {args.rounds} rounds; "
        "each sends a guess and a vote twice (a double click)"
    )
    print(f"stored guesses {guesses}/{expected}, votes {votes}/{expected} (exactly once each)")
    print(
        f"submission latency ms: median {np.median(ms):.1f}  p95 {np.percentile(ms, 95):.1f}"
        f"  max {ms.max():.1f}  ({ms.size} submissions)"
    )
    if reads:
        print(f"teacher summary read ms: median {np.median(reads) * 1000:.2f} ({len(reads)} reads)")
    return 0 if guesses == votes == expected else 1


if __name__ == "__main__":
    sys.exit(main())
