"""The server a load benchmark plays against, and what it costs: one Streamlit process (as
`make run` serves) or `python -m charlm serve --processes N` (N processes behind nginx), with
memory and CPU summed over every process that serves the page: the supervisor, nginx's master
and worker and each Streamlit process. The queue's dispatcher and its trainers are left out (a
trainer is measured on its own, in ms per batch)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120.0
TRAINING = (b"charlm\0dispatch", b"charlm\0train")  # command lines of the training processes


def _is_training(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return any(marker in command for marker in TRAINING)


def children(pid: int) -> list[int]:
    """Every process below `pid` that serves the page: the children of all its threads
    (Streamlit starts the dispatcher from a script thread), training subtrees left out."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    out = []
    for child in found:
        if not _is_training(child):
            out += [child, *children(child)]
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of the server, all its processes summed."""
    total = 0.0
    for p in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the server's processes, all their threads (OpenBLAS's included)."""
    total = 0.0
    for p in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _wait_healthy(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"the app did not start within {START_TIMEOUT:.0f} s")


def start_single(port: int, env: dict, root: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
    ]  # fmt: skip (edits must not reload the app)
    server = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _wait_healthy(server, port)
    server.backend_ports = [port]
    return server


def start_group(port: int, env: dict, root: Path, processes: int) -> subprocess.Popen:
    """`python -m charlm serve` of `root`, once it says it is ready; its later lines (a process
    restarted) go to stderr as they come."""
    run_dir = tempfile.mkdtemp(prefix="charlm-bench-serve-")
    command = [sys.executable, "-m", "charlm", "serve", f"--processes={processes}"]
    server = subprocess.Popen(
        [*command, f"--port={port}", f"--run-dir={run_dir}"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    said = []
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        said.append(line)
        if "ready on" in line:
            server.backend_ports = [int(p) for p in re.findall(r"127\.0\.0\.1:(\d+)", line)]
            threading.Thread(target=_echo, args=(server.stdout,), daemon=True).start()
            return server
    server.kill()
    raise SystemExit(f"`charlm serve` in {root} did not start:\n{''.join(said)}")


def _echo(stream) -> None:
    for line in stream:
        print(line, end="", file=sys.stderr, flush=True)


def start_server(
    port: int, env: dict, root: Path = ROOT, processes: int = 1, proxy: bool = False
) -> subprocess.Popen:
    """The server on `port`: one process, or `processes` behind nginx (also for one when
    `proxy`). The Popen carries `backend_ports`, each process's own port (to warm each one)."""
    if processes > 1 or proxy:
        return start_group(port, env, root, processes)
    return start_single(port, env, root)


def describe(server: subprocess.Popen, proxy: bool) -> str:
    count = len(server.backend_ports)
    if count == 1 and not proxy:
        return "one Streamlit process"
    return f"{count} Streamlit process{'es' if count > 1 else ''} behind nginx (charlm serve)"
