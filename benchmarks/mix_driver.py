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


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, all its threads (OpenBLAS's included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def start_profiler(pid: int, path: Path) -> subprocess.Popen:
    """py-spy on the server (only threads holding the GIL; BLAS threads are invisible)."""
    command = ["py-spy", "record", "--gil", "-r", "100", "-p", str(pid), "-f", "raw", "-o"]
    profiler = subprocess.Popen([*command, str(path)], stdout=subprocess.DEVNULL)
    time.sleep(1.0)  # attached before the class starts
    return profiler


def phase(load, port, server_pid, users, options, seed, rate=None, profile=None) -> list[str]:
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
    server = load.start_server(port, env, root)
    try:
        asyncio.run(load.classroom(port, 1, 0, 0))  # the first visitor warms the caches
        first = load.rss_mb(server.pid)
        print(f"app: {root}; CPUs {os.cpu_count()}; after the first page: {first:.0f} MB")
        for users in args.users:
            print(f"\n{users} students, the mix, no training run", flush=True)
            profile, args.profile = args.profile, None  # the first class only
            lines = phase(load, port, server.pid, users, options, args.seed, profile=profile)
            print("\n".join(lines), flush=True)
            settled = load.settle_memory(server.pid, args.settle)
            print(f"memory {args.settle:g} s after: {settled:.0f} MB")
        if args.training:
            run_dir = Path(run_in_root(root, START, str(runs_dir), str(args.train_epochs)))
            rate = load.TrainerRate(run_dir)
            wait_for_batches(run_dir)
            idle = rate.measure(15)
            print(f"\nwith a `quick` run training (idle: {idle:.1f} ms/batch)", flush=True)
            for users in args.users:
                print(f"\n{users} students, the mix, training", flush=True)
                lines = phase(load, port, server.pid, users, options, args.seed, rate)
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
