"""`classroom_load.py --mix`: run the realistic class (classroom_mix.py) against one server and
print, per action, median / p95 / max seconds, unfinished and page-changed counts, then the
server's CPU per action and peak memory, optionally with a real `quick` training run going."""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from classroom_mix import MixOptions, mix_class
from server_procs import cpu_seconds
from st_client import StreamlitSession

HEADER = (
    f"{'action':<16} {'n':>4} {'median':>7} {'p95':>6} {'max':>6} {'unfin':>5} "
    f"{'changed':>9} {'skipped':>7}"
)


def add_mix_arguments(parser) -> None:
    d = MixOptions()
    g = parser.add_argument_group("--mix: a realistic class (every share and range)")
    g.add_argument("--mix", action="store_true")
    g.add_argument("--root", type=Path, default=None, help="app checkout to serve (default: this)")
    g.add_argument("--training", action="store_true", help="also run the mix with a `quick` run")
    g.add_argument("--train-epochs", type=int, default=30)
    g.add_argument("--views", type=float, nargs=4, default=d.views, metavar=("E", "C", "N", "T"))
    g.add_argument("--passage", type=float, default=d.passage)
    g.add_argument("--own-seed", type=float, default=d.own_seed)
    g.add_argument("--seed-chars", type=int, nargs=2, default=d.seed_chars)
    g.add_argument("--best", type=float, default=d.best, help="share who switch model")
    g.add_argument("--best-model", default=d.best_model)
    g.add_argument("--temperature-moves", type=int, default=d.temperature_moves)
    g.add_argument("--move-gap", type=float, default=d.move_gap)
    g.add_argument("--extra", type=int, nargs=2, default=d.extra)
    g.add_argument("--length", type=int, nargs=2, default=d.length)
    g.add_argument("--arrival", type=float, default=d.arrival)
    g.add_argument("--timeout", type=float, default=d.timeout)
    g.add_argument("--seed", type=int, default=0, help="random seed of the class")
    g.add_argument(
        "--window",
        type=float,
        default=0.0,
        metavar="S",
        help="also measure memory once Streamlit's reconnect window (120 s: a closed tab's "
        "session is kept that long) has passed, S seconds after the class",
    )
    g.add_argument(
        "--recovery",
        action="store_true",
        help="after each class, time until one student's move is back to its one-user time",
    )
    g.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="py-spy --gil profile of the server during the first class (raw format, to FILE)",
    )


def options_from(args) -> MixOptions:
    return MixOptions(
        views=tuple(args.views),
        passage=args.passage,
        own_seed=args.own_seed,
        seed_chars=tuple(args.seed_chars),
        best=args.best,
        best_model=args.best_model,
        temperature_moves=args.temperature_moves,
        move_gap=args.move_gap,
        extra=tuple(args.extra),
        length=tuple(args.length),
        arrival=args.arrival,
        timeout=args.timeout,
    )


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(log) -> list[str]:
    lines = [HEADER]
    names = sorted(set(log.seconds) | set(log.unfinished) | set(log.skipped))
    everything = []
    for name in names:
        times = log.seconds.get(name, [])
        everything += [] if name == "open" else times
        lines.append(
            f"{name:<16} {len(times):>4} "
            f"{statistics.median(times) if times else float('nan'):>7.2f} "
            f"{pct(times, 0.95):>6.2f} {max(times, default=float('nan')):>6.2f} "
            f"{log.unfinished.get(name, 0):>5} "
            f"{log.changed.get(name, 0):>4}/{log.checked.get(name, 0):<4} "
            f"{log.skipped.get(name, 0):>7}"
        )
    unfinished = sum(v for k, v in log.unfinished.items() if k != "open")
    lines.append(
        f"{'ALL (not open)':<16} {len(everything):>4} "
        f"{statistics.median(everything) if everything else float('nan'):>7.2f} "
        f"{pct(everything, 0.95):>6.2f} {max(everything, default=float('nan')):>6.2f} "
        f"{unfinished:>5}"
    )
    if log.errors:
        lines.append(f"errors: {len(log.errors)}, first: {log.errors[0][:200]}")
    return lines


def run_in_root(root: Path, code: str, *argv: str) -> str:
    """Run a snippet with the served checkout's own charlm (how its page would do it)."""
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        raise SystemExit(f"failed in {root}: {done.stderr[-2000:]}")
    return done.stdout.strip()


START = (
    "import sys; from pathlib import Path; from charlm.serving import jobs; "
    "print(jobs.start_run(Path(sys.argv[1]), 'quick', int(sys.argv[2]), name='bench-mix'))"
)
CANCEL = "import sys; from pathlib import Path; from charlm.serving import jobs; " \
    "jobs.cancel_run(Path(sys.argv[1]))"  # fmt: skip


PROBE_LIMIT = 120.0  # seconds a recovery probe keeps trying


async def probe_moves(port: int, moves: int, gap: float, seed_text: str, limit: float):
    """One student on Explore with a seed text of its own, moving the temperature between
    0.61 and 0.99 (values the mix's students never set), so every move is computed: yields
    the seconds of each move (inf for one that did not finish)."""
    session = StreamlitSession(port)
    await session.open(timeout=limit)
    try:
        session.set("seed_text", "string_value", seed_text)
        await session.rerun(timeout=limit)
        for i in range(moves):
            session.set("temperature", "double_array_value", [round(0.61 + 0.01 * (i % 39), 2)])
            result = await session.rerun(timeout=limit)
            yield result.seconds if result.finished else float("inf")
            await asyncio.sleep(gap)
    finally:
        await session.close()


PROBE_SEED = "the probe's own words, so that nothing it asks for is cached yet: "


async def one_user_move(port: int) -> float:
    """Median seconds of a computed temperature move with nobody else on the server."""
    times = [t async for t in probe_moves(port, 9, 0.2, PROBE_SEED + "alone", 30)]
    return statistics.median(times)


async def recovery_seconds(port: int, alone: float, label: str) -> float:
    """From the load's end until a move takes at most 1.5x its one-user time (+20 ms)."""
    ended = time.monotonic()
    async for seconds in probe_moves(port, 400, 0.25, PROBE_SEED + label, PROBE_LIMIT):
        if seconds <= 1.5 * alone + 0.02:
            return time.monotonic() - ended
        if time.monotonic() - ended > PROBE_LIMIT:
            break
    return float("inf")


def memory_after_window(port: int, pid: int, wait: float, load) -> float:
    """Resident MB once the class's stored sessions have expired: Streamlit keeps a closed
    tab's session for 120 s (for a reconnect) and drops expired ones only when it stores
    another, so one visitor comes and goes after the wait, then the server idles 5 s."""
    time.sleep(max(wait, 0.0))
    asyncio.run(one_user_move(port))
    return load.settle_memory(pid, 5.0)


def start_profiler(pid: int, path: Path) -> subprocess.Popen:
    """py-spy on the server (only threads holding the GIL; BLAS threads are invisible)."""
    command = ["py-spy", "record", "--gil", "-r", "100", "-p", str(pid), "-f", "raw", "-o"]
    profiler = subprocess.Popen([*command, str(path)], stdout=subprocess.DEVNULL)
    time.sleep(1.0)  # attached before the class starts
    return profiler


def phase(
    load, port, server_pid, users, options, seed, rate=None, profile=None, alone=None
) -> list[str]:
    holder = {}
    profiler = start_profiler(server_pid, profile) if profile else None
    thread = None
    if rate is not None:
        thread = threading.Thread(target=lambda: holder.setdefault("ms", rate.measure(40)))
    cpu0 = cpu_seconds(server_pid)
    start = time.monotonic()
    with load.MemoryWatch(server_pid) as watch:
        if thread:
            thread.start()
        log = asyncio.run(mix_class(port, users, options, seed))
        if thread:
            thread.join()
        label = f"{users} students, {'training' if rate else 'no training'}"
        recovered = asyncio.run(recovery_seconds(port, alone, label)) if alone else None
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        profiler.wait(timeout=60)
    wall = time.monotonic() - start
    cpu = cpu_seconds(server_pid) - cpu0
    actions = sum(len(v) for v in log.seconds.values())
    lines = report(log)
    lines.append(
        f"server CPU {cpu:.1f} s over {wall:.0f} s: {1000 * cpu / max(actions, 1):.0f} ms per "
        f"action ({actions} actions incl. opens); peak memory {watch.peak:.0f} MB"
    )
    if rate is not None:
        lines.append(f"trainer during the class: {holder.get('ms', float('nan')):.1f} ms/batch")
    if recovered is not None:
        lines.append(
            f"recovery: a move back within 1.5x its one-user time ({1000 * alone:.0f} ms) "
            f"{recovered:.1f} s after the class's last action"
        )
    return lines


def wait_for_batches(run_dir: Path, timeout: float = 240) -> None:
    """Until the run is past TensorFlow's start-up and its data preparation."""
    from charlm.training import runfiles

    deadline = time.monotonic() + timeout
    while (runfiles.read_progress(run_dir).get("batch") or 0) <= 20:
        if time.monotonic() > deadline:
            raise SystemExit(f"the training run did not start: see {run_dir}/train.log")
        time.sleep(0.5)


def run_mix(args, load) -> None:
    root = (args.root or load.ROOT).resolve()
    options = options_from(args)
    tmp = Path(tempfile.mkdtemp(prefix="charlm-mix-"))
    runs_dir = tmp / "runs"
    env = {**os.environ, "CHARLM_RUNS": str(runs_dir)}
    os.environ["CHARLM_RUNS"] = str(runs_dir)
    port = load.free_port()
    server = load.start_server(port, env, root, args.processes, args.proxy)
    try:
        load.warm_each(server)  # the first visitor of each process warms its caches
        first = load.rss_mb(server.pid)
        print(f"app: {root}; CPUs {os.cpu_count()}; {load.describe(server, args.proxy)}")
        print(f"after the first page: {first:.0f} MB (every process summed)")
        alone = asyncio.run(one_user_move(port)) if args.recovery else None
        if alone is not None:
            print(f"one student alone: a computed temperature move takes {1000 * alone:.0f} ms")
        for users in args.users:
            print(f"\n{users} students, the mix, no training run", flush=True)
            profile, args.profile = args.profile, None  # the first class only
            lines = phase(
                load, port, server.pid, users, options, args.seed, profile=profile, alone=alone
            )
            print("\n".join(lines), flush=True)
            settled = load.settle_memory(server.pid, args.settle)
            print(f"memory {args.settle:g} s after: {settled:.0f} MB")
            if args.window:
                gone = memory_after_window(port, server.pid, args.window - args.settle, load)
                print(f"memory {args.window:g} s after (past the reconnect window): {gone:.0f} MB")
        if args.training:
            run_dir = Path(run_in_root(root, START, str(runs_dir), str(args.train_epochs)))
            rate = load.TrainerRate(run_dir)
            wait_for_batches(run_dir)
            idle = rate.measure(15)
            print(f"\nwith a `quick` run training (idle: {idle:.1f} ms/batch)", flush=True)
            for users in args.users:
                print(f"\n{users} students, the mix, training", flush=True)
                lines = phase(load, port, server.pid, users, options, args.seed, rate, alone=alone)
                print("\n".join(lines), flush=True)
            print(f"trainer idle again: {rate.measure(15):.1f} ms/batch")
            run_in_root(root, CANCEL, str(run_dir))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
