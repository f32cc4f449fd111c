"""One class served by several Streamlit processes behind one nginx, started, watched and stopped
as one command (`python -m charlm serve`).

Why several: Python work in one process is serialised by the GIL and by the page's gate (one
page run at a time, charlm.ui.gate), so one process tops out near 80 students moving sliders on
2 cores (README, "Classroom and deployment"). What the processes share is already safe across
processes: run records, the training queue and the Class view's answers are SQLite files in WAL
mode, model folders are read-only, and every other file is written atomically.

Life cycle: N processes on free 127.0.0.1 ports, each checked healthy, then nginx in the
foreground on the public port (config from charlm.serving.proxy). Ctrl-C or SIGTERM stops all
of them. A Streamlit process that dies after running a while is restarted on its port (its
visitors' browsers reconnect to a fresh session there); one that dies within RESTART_AFTER_S
of its start is failing, not crashing once, so everything stops with the end of its log. If
nginx dies, everything stops. Every child gets SIGTERM from the kernel if this command is
killed outright (Linux), so nothing is left behind either way.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from charlm.common.settings import PROJECT_ROOT
from charlm.serving import proxy

START_TIMEOUT_S = 90.0  # a Streamlit process imports NumPy and pandas: ~5 s each on 2 cores
RESTART_AFTER_S = 60.0  # a process that dies sooner after its start would only die again
STOP_GRACE_S = 10.0  # SIGTERM first; SIGKILL for what is still running after this
POLL_S = 0.5
STREAMLIT_CONFIG = PROJECT_ROOT / ".streamlit" / "config.toml"


class ServeError(RuntimeError):
    """The class cannot be served (or no longer): the message says why, for the operator."""


class StopRequested(Exception):
    """SIGINT (Ctrl-C), SIGTERM or SIGHUP arrived: stop everything."""


@dataclass
class Child:
    """One process of the group: what it is called in messages, its command and its log."""

    name: str
    command: list[str]
    log_path: Path
    process: subprocess.Popen | None = None
    started: float = 0.0
    port: int | None = None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def streamlit_command(port: int) -> list[str]:
    """`make run`'s command, on 127.0.0.1 only (nginx is the only door) and headless."""
    return [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
        "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
    ]  # fmt: skip


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free on 127.0.0.1 now (held together so none repeats)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def check_port_free(address: str | None, port: int) -> None:
    """Raise ServeError now if the public port is taken, before any process starts."""
    family = socket.AF_INET6 if address and ":" in address else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx binds
        try:
            sock.bind((address or "0.0.0.0", port))
        except OSError as exc:
            raise ServeError(
                f"cannot listen on port {port}: {exc.strerror}; choose another with --port"
            ) from None


def _parent_death_signal() -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to SIGTERM the child when this process dies (even by
    SIGKILL), so a killed `serve` leaves no orphans; None where prctl is missing. libc is
    loaded here, in the parent: loading it in the forked child could deadlock."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM)


def start(child: Child, env: dict[str, str]) -> None:
    """Start (or restart) `child`, its output appended to its log, in a session of its own:
    a Ctrl-C in the terminal reaches this command only, which then stops the children in order."""
    with open(child.log_path, "ab") as log:
        child.process = subprocess.Popen(
            child.command,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_parent_death_signal(),
        )
    child.started = time.monotonic()


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def wait_until_healthy(children: list[Child], url_of: Callable[[Child], str]) -> None:
    """Until every child answers its health URL; raises ServeError if one exits or the time
    runs out, with the end of its log."""
    waiting = list(children)
    deadline = time.monotonic() + START_TIMEOUT_S
    while waiting:
        for child in list(waiting):
            if child.process.poll() is not None:
                raise ServeError(
                    f"{child.name} exited with code {child.process.returncode} while starting; "
                    f"its log ({child.log_path}) ends:\n{child.log_tail()}"
                )
            if healthy(url_of(child)):
                waiting.remove(child)
        if waiting and time.monotonic() > deadline:
            names = ", ".join(child.name for child in waiting)
            raise ServeError(f"{names} did not answer within {START_TIMEOUT_S:.0f} s")
        if waiting:
            time.sleep(0.2)


def stop_all(children: list[Child]) -> None:
    """SIGTERM to every running child (nginx first, as listed), SIGKILL to its whole process
    group after STOP_GRACE_S; returns when all have exited."""
    running = [c for c in children if c.process is not None and c.process.poll() is None]
    for child in running:
        child.process.terminate()
    deadline = time.monotonic() + STOP_GRACE_S
    for child in running:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:  # its group: nginx's workers, not only its master
                os.killpg(child.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            child.process.wait()


class ServerGroup:
    """N Streamlit processes and the nginx in front of them (see the module docstring)."""

    def __init__(self, processes: int, port: int, address: str | None, run_dir: Path, say):
        self.port, self.address, self.run_dir, self.say = port, address, Path(run_dir), say
        self.backends = [
            Child(f"Streamlit process {n}", streamlit_command(p), log, port=p)
            for n, p in enumerate(free_ports(processes), start=1)
            for log in [self.run_dir / f"streamlit-{n}.log"]
        ]
        self.nginx: Child | None = None
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    @property
    def children(self) -> list[Child]:
        return ([self.nginx] if self.nginx else []) + self.backends

    def start(self, nginx: str) -> None:
        for backend in self.backends:
            start(backend, self.env)
        wait_until_healthy(self.backends, lambda c: f"http://127.0.0.1:{c.port}/_stcore/health")
        config_text = (
            STREAMLIT_CONFIG.read_text(encoding="utf-8") if STREAMLIT_CONFIG.exists() else ""
        )
        plan = proxy.ProxyPlan(
            self.run_dir, self.port, tuple(b.port for b in self.backends),
            proxy.upload_limit_mb(config_text), self.address,
        )  # fmt: skip
        proxy.write_config(plan)
        checked = subprocess.run(
            proxy.nginx_command(nginx, self.run_dir, test_only=True), capture_output=True, text=True
        )
        if checked.returncode:
            raise ServeError(f"nginx refused its configuration:\n{checked.stderr.strip()}")
        # Its failures (a port taken meanwhile, say) are in its error log: its output joins it.
        command = proxy.nginx_command(nginx, self.run_dir)
        self.nginx = Child("nginx", command, self.run_dir / proxy.ERROR_LOG)
        start(self.nginx, self.env)
        host = "127.0.0.1" if self.address in (None, "0.0.0.0") else self.address
        host = "[::1]" if host == "::" else (f"[{host}]" if ":" in host else host)
        wait_until_healthy([self.nginx], lambda c: f"http://{host}:{self.port}/_stcore/health")

    def watch(self) -> None:
        """Until a stop is requested (an exception from the signal handlers) or the group
        fails (ServeError): restarts a Streamlit process that dies after running a while."""
        while True:
            time.sleep(POLL_S)
            if self.nginx.process.poll() is not None:
                raise ServeError(
                    f"nginx exited with code {self.nginx.process.returncode}; its error log "
                    f"ends:\n{self.nginx.log_tail()}"
                )
            for backend in self.backends:
                code = backend.process.poll()
                if code is None:
                    continue
                ran = time.monotonic() - backend.started
                where = f"{backend.name} (port {backend.port}) exited with code {code}"
                if ran < RESTART_AFTER_S:
                    raise ServeError(
                        f"{where}, {ran:.0f} s after it started: stopping everything. Its log "
                        f"({backend.log_path}) ends:\n{backend.log_tail()}"
                    )
                self.say(f"{where}, after {ran:.0f} s: restarting it (its visitors reconnect)")
                start(backend, self.env)


def _raise_stop(signum, frame) -> None:
    raise StopRequested(signal.Signals(signum).name)


def serve(
    processes: int, port: int, address: str | None = None, run_dir: Path | None = None, say=None
) -> int:
    """Serve the class until Ctrl-C or SIGTERM (then returns 0). Raises ServeError when it
    cannot start or a process fails, NginxMissingError when nginx is not installed; either way
    every process it started has been stopped. `run_dir` (nginx.conf, logs) is kept when
    given; a temporary one is removed at the end."""
    say = say or (lambda line: print(f"charlm serve: {line}", flush=True))
    nginx = proxy.find_nginx()
    keep = run_dir is not None
    run_dir = Path(run_dir) if keep else Path(tempfile.mkdtemp(prefix="charlm-serve-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    group = None
    try:
        for sig in previous:  # SIGINT too: a shell starts background jobs with it ignored
            signal.signal(sig, _raise_stop)
        check_port_free(address, port)  # before anything starts
        group = ServerGroup(processes, port, address, run_dir, say)
        plural = "es" if processes > 1 else ""
        say(f"starting {processes} Streamlit process{plural} and nginx (files in {run_dir})")
        group.start(nginx)
        shown = address if address not in (None, "0.0.0.0") else "localhost"
        shown = f"[{shown}]" if ":" in shown else shown
        ports = " ".join(f"127.0.0.1:{b.port}" for b in group.backends)
        say(f"ready on http://{shown}:{port}/ (processes on {ports}); Ctrl-C stops everything")
        group.watch()
    except StopRequested:
        say("stopping")
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        if group is not None:
            stop_all(group.children)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if not keep:
            shutil.rmtree(run_dir, ignore_errors=True)
    return 0
