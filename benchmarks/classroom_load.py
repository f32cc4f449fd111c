"""A class on one server: N students open the page at once and move the temperature slider,
with and without a training run going. Speaks Streamlit's own websocket protocol.

    python benchmarks/classroom_load.py [--users 1 10 40] [--moves 10] [--think 1.0]
                                        [--no-training] [--memory-rounds 3]
    python benchmarks/classroom_load.py --mix [--users 40] [--training] [--root DIR] ...
    python benchmarks/classroom_load.py --class-activities [--users 40] [--spread 0]
                                        [--self-paced]
    any of them with --processes N: the class is served by `python -m charlm serve` (N
    Streamlit processes behind nginx; --proxy: through nginx even for N = 1)

--mix is a realistic class (benchmarks/classroom_mix.py: views, passages, own seed texts, the
2x384 model, Compare and Neurons); --root runs the app from another checkout (for a
side-by-side with older code: `git archive <commit> | tar -x -C DIR`).
--class-activities is a class on the Class view (benchmarks/class_activities.py): every
student guesses and votes at once through the page, and every submission must be stored
exactly once in the results file the server wrote.

For each N it prints move latency (send -> script_finished: median, p95, max), first-page
latency with all N opening at once, moves that never finished, the server's memory (before,
peak, after the users leave) and, with a run active, the trainer's ms per batch against its idle
rate. It proves the slider really moves: each move must change the text, and going back to a
temperature must give the same text again. Traffic goes to 127.0.0.1 only; every loop is
bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from server_procs import describe, rss_mb, start_server  # noqa: E402
from st_client import StreamlitSession  # noqa: E402

MOVE_TIMEOUT = 30.0  # a move not finished by then "never finished"
OPEN_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MemoryWatch:
    """Samples a process's resident memory every 0.2 s; keeps the peak."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, rss_mb(self.pid))

    def __enter__(self):
        self.peak = rss_mb(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=2)


def generated_text(markdown: list[str]) -> str | None:
    return next((m for m in markdown if "charlm-text" in m), None)


@dataclass
class UserLog:
    first_page: float | None = None
    moves: list[float] = field(default_factory=list)
    unfinished: int = 0
    changed: int = 0
    compared: int = 0
    repeat_same: bool | None = None


async def one_user(port: int, moves: int, think: float, seed: int, start_gate) -> UserLog:
    log = UserLog()
    rng = random.Random(seed)
    session = StreamlitSession(port)
    await start_gate.wait()
    try:
        opened = await session.open(timeout=OPEN_TIMEOUT)
    except Exception:
        log.unfinished += moves
        return log
    if not opened.finished or "temperature" not in session.widgets:
        log.unfinished += moves
        await session.close()
        return log
    log.first_page = opened.seconds
    previous = generated_text(opened.markdown)
    temps = [round(rng.uniform(0.1, 2.0), 2) for _ in range(max(moves - 1, 1))]
    temps = temps[: moves - 1] + [temps[0]] if moves > 1 else temps  # last move repeats the first
    texts: dict[float, str] = {}
    try:
        for i, temp in enumerate(temps):
            await asyncio.sleep(think)
            session.set("temperature", "double_array_value", [temp])
            result = await session.rerun(timeout=MOVE_TIMEOUT)
            if not result.finished:
                log.unfinished += 1
                continue
            log.moves.append(result.seconds)
            text = generated_text(result.markdown)
            if previous is not None and text is not None and temp != temps[i - 1 if i else 0]:
                log.compared += 1
                log.changed += text != previous
            if i == len(temps) - 1 and temp in texts:
                log.repeat_same = text == texts[temp]
            texts.setdefault(temp, text)
            previous = text
    except Exception:
        log.unfinished += moves - len(log.moves) - log.unfinished
    finally:
        await session.close()
    return log


async def classroom(port: int, users: int, moves: int, think: float) -> list[UserLog]:
    gate = asyncio.Event()
    tasks = [asyncio.create_task(one_user(port, moves, think, i, gate)) for i in range(users)]
    gate.set()  # everyone opens the page at the same moment
    return await asyncio.gather(*tasks)


def warm_each(server) -> None:
    """The first visitor of each process warms its caches (they are per process)."""
    for backend_port in server.backend_ports:
        asyncio.run(classroom(backend_port, 1, 0, 0))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class TrainerRate:
    """ms per batch of the active run, from the batch counter in its progress.json."""

    def __init__(self, run_dir: Path):
        self.run_dir = run_dir

    def measure(self, seconds: float) -> float:
        from charlm.training import runfiles

        samples, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            p = runfiles.read_progress(self.run_dir)
            samples.append((time.monotonic(), p.get("epoch"), p.get("batch") or 0))
            time.sleep(0.25)
        batches = elapsed = 0.0
        for (t0, e0, b0), (t1, e1, b1) in zip(samples, samples[1:]):
            if e0 == e1 and b1 > b0:
                batches, elapsed = batches + (b1 - b0), elapsed + (t1 - t0)
        return 1000 * elapsed / batches if batches else float("nan")


def start_training(runs_dir: Path) -> Path:
    """A real `seed` run through the app's own job layer, long enough to outlast the test."""
    from charlm.serving import jobs

    run_dir = jobs.start_run(runs_dir, "seed", 30, name="bench-run")
    from charlm.training import runfiles

    deadline = time.monotonic() + 120  # TensorFlow start-up and data preparation
    while time.monotonic() < deadline:
        if (runfiles.read_progress(run_dir).get("batch") or 0) > 20:
            return run_dir
        time.sleep(0.5)
    raise SystemExit(f"the training run did not start: see {run_dir}/train.log")


def stop_training(run_dir: Path) -> None:
    from charlm.serving import jobs

    jobs.cancel_run(run_dir)


def settle_memory(pid: int, seconds: float) -> float:
    time.sleep(seconds)
    return rss_mb(pid)


def row(users, logs, memory, trainer) -> str:
    moves = [m for log in logs for m in log.moves]
    opens = [log.first_page for log in logs if log.first_page is not None]
    unfinished = sum(log.unfinished for log in logs)
    changed = sum(log.changed for log in logs)
    compared = sum(log.compared for log in logs)
    repeats = [log.repeat_same for log in logs if log.repeat_same is not None]
    text = (
        f"{users:>5} {statistics.median(moves) if moves else float('nan'):>8.2f} "
        f"{pct(moves, 0.95):>6.2f} {max(moves, default=float('nan')):>6.2f} "
        f"{pct(opens, 0.95):>10.2f} {unfinished:>10} "
        f"{memory[0]:>6.0f} {memory[1]:>6.0f} {memory[2]:>6.0f}"
    )
    text += f"  {trainer}" if trainer else ""
    text += (
        f"   [text changed {changed}/{compared}; same T, same text {sum(repeats)}/{len(repeats)}]"
    )
    return text


HEADER = "users  median    p95    max  open p95 s  unfinished  mem0  peak  after  trainer ms/batch"


def run_phase(port, server_pid, users, args, trainer_rate=None) -> str:
    before = rss_mb(server_pid)
    holder = {}

    def measure():
        holder["ms"] = trainer_rate.measure(args.think * args.moves + 3)

    thread = threading.Thread(target=measure) if trainer_rate else None
    with MemoryWatch(server_pid) as watch:
        if thread:
            thread.start()
        logs = asyncio.run(classroom(port, users, args.moves, args.think))
        if thread:
            thread.join()
    after = settle_memory(server_pid, args.settle)
    trainer = f"{holder['ms']:.1f}" if trainer_rate else ""
    return row(users, logs, (before, watch.peak, after), trainer)


def main(argv: list[str] | None = None) -> int | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--users", type=int, nargs="+", default=None, help="default 1 10 40; 40 for a class"
    )
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between moves")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before 'after'")
    parser.add_argument("--no-training", action="store_true")
    parser.add_argument("--memory-rounds", type=int, default=3, help="rounds of 60 users")
    parser.add_argument(
        "--processes", type=int, default=1, help="Streamlit processes (> 1: behind nginx)"
    )
    parser.add_argument("--proxy", action="store_true", help="through nginx even for one process")
    add_mix_arguments(parser)
    add_class_arguments(parser)
    args = parser.parse_args(argv)
    if args.class_activities:
        return run_class_activities(args, sys.modules[__name__])
    args.users = args.users or [1, 10, 40]
    if args.mix:
        return run_mix(args, sys.modules[__name__])

    tmp = Path(tempfile.mkdtemp(prefix="charlm-load-"))
    runs_dir = tmp / "runs"
    env = {**os.environ, "CHARLM_RUNS": str(runs_dir)}
    os.environ["CHARLM_RUNS"] = str(runs_dir)
    port = free_port()
    server = start_server(port, env, processes=args.processes, proxy=args.proxy)
    try:
        warm_each(server)
        first = rss_mb(server.pid)
        print(f"CPUs {os.cpu_count()}; {describe(server, args.proxy)}")
        print(f"server after the first page: {first:.0f} MB (every process summed)")
        print(f"{args.moves} moves per user, {args.think:g} s apart; times in seconds, memory MB")
        print("\nno training run")
        print(HEADER)
        for users in args.users:
            print(run_phase(port, server.pid, users, args), flush=True)
        if not args.no_training:
            run_dir = start_training(runs_dir)
            rate = TrainerRate(run_dir)
            idle = rate.measure(8)
            print(f"\nwith a `seed` training run active (idle: {idle:.1f} ms/batch)")
            print(HEADER)
            for users in args.users:
                print(run_phase(port, server.pid, users, args, rate), flush=True)
            stop_training(run_dir)
        for i in range(args.memory_rounds):
            asyncio.run(classroom(port, 60, 3, args.think))
            after = settle_memory(server.pid, args.settle)
            print(f"memory round {i + 1}: 60 users came and left -> {after:.0f} MB", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)


from class_driver import add_class_arguments, run_class_activities  # noqa: E402
from mix_driver import add_mix_arguments, run_mix  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
