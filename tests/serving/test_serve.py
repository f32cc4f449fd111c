"""`python -m charlm serve`: real Streamlit processes behind a real nginx. Two browsers (each with
the cookie nginx gave it on its first page) land on different processes, and every request of one
browser (the page, a static file, the websocket, an upload naming its session) reaches that
browser's process; stopping the command leaves no process behind. Then the same with real
Chromium: its download (media) and file upload. Skipped without nginx (.ci/run installs it) or,
for the browser test, without Chromium."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from charlm.serving import proxy, server_group

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from st_client import StreamlitSession  # noqa: E402

try:
    proxy.find_nginx()
    NGINX = True
except proxy.NginxMissingError:
    NGINX = False
needs_nginx = pytest.mark.skipif(not NGINX, reason="nginx is not installed (.ci/run installs it)")

READY_TIMEOUT = 120.0
CHROMIUM = os.environ.get("CHARLM_CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (any thread's children: nginx's workers included)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    for child in list(found):
        found |= descendants(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Served:
    """The command running on a free port, its ready line read."""

    def __init__(self, tmp_path: Path, processes: int):
        self.port, self.run_dir = free_port(), tmp_path / "serve"
        command = [sys.executable, "-m", "charlm", "serve", f"--processes={processes}"]
        command += [f"--port={self.port}", f"--run-dir={self.run_dir}"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.output: list[str] = []
        self.backends = self._until_ready()
        self.url = f"http://127.0.0.1:{self.port}"

    def _until_ready(self) -> list[str]:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if "ready on" in line:
                return re.findall(r"127\.0\.0\.1:\d+", line)
        self.process.kill()
        raise AssertionError("serve did not become ready:\n" + "".join(self.output))

    def access_log(self) -> list[tuple[str, str, str]]:
        """(browser key, process address, request line) of every request so far."""
        text = (self.run_dir / proxy.ACCESS_LOG).read_text()
        return re.findall(r'key=(\S+) upstream=(\S+) status=\d+ "([^"]*)"', text)

    def stop(self, sig=signal.SIGINT) -> tuple[int, str]:
        self.process.send_signal(sig)
        rest, _ = self.process.communicate(timeout=30)
        return self.process.returncode, "".join(self.output) + rest


class Browser:
    """What a browser keeps for the site: the cookies of the answers it got."""

    def __init__(self, url: str):
        self.url, self.http = url, requests.Session()

    def get(self, path: str) -> requests.Response:
        answer = self.http.get(self.url + path, timeout=30)
        assert answer.status_code == 200, (path, answer.status_code)
        return answer

    @property
    def key(self) -> str:
        return self.http.cookies.get(proxy.STICKY_COOKIE)

    @property
    def xsrf(self) -> str:
        return self.http.cookies.get("_streamlit_xsrf")

    def upload(self, session_id: str, text: str) -> int:
        """PUT a file as st.file_uploader does (the session's id in the address)."""
        answer = self.http.put(
            f"{self.url}/_stcore/upload_file/{session_id}/lesson-file",
            files={"file": ("lesson.txt", text.encode(), "text/plain")},
            headers={"X-Xsrftoken": self.xsrf},
            timeout=30,
        )
        return answer.status_code


def open_browser(served: Served) -> tuple[Browser, str]:
    """A browser's first page (nginx gives it its cookie) and a script it loads; then its
    process's address, read from the access log."""
    browser = Browser(served.url)
    page = browser.get("/")
    assert '<div id="root">' in page.text and browser.key
    script = re.search(r'src="\./(static/js/[^"]+\.js)"', page.text)
    browser.get("/" + script[1])
    browser.get("/_stcore/health")  # as the page does before its websocket: the XSRF cookie
    assert browser.xsrf
    upstreams = {up for key, up, _ in served.access_log() if key == browser.key}
    assert len(upstreams) == 1, upstreams
    return browser, upstreams.pop()


async def open_page(served: Served, browser: Browser) -> StreamlitSession:
    session = StreamlitSession(served.port, cookies=dict(browser.http.cookies))
    opened = await session.open(timeout=60)
    assert opened.finished and "temperature" in session.widgets
    assert any("charlm-text" in m for m in opened.markdown)  # the generated text: a full page
    return session


@needs_nginx
def test_two_browsers_each_stay_on_their_own_process_and_stopping_leaves_nothing(tmp_path):
    served = Served(tmp_path, processes=2)
    try:
        first, first_process = open_browser(served)
        for _ in range(20):  # a new browser lands on either process at random, by its cookie
            second, second_process = open_browser(served)
            if second_process != first_process:
                break
        assert {first_process, second_process} == set(served.backends)

        async def class_of_two():
            sessions = [await open_page(served, b) for b in (first, second)]
            for session in sessions:
                session.set("temperature", "double_array_value", [0.73])
                assert (await session.rerun(timeout=60)).finished
            uploads = [
                b.upload(s.session_id, "a lesson text") for b, s in zip((first, second), sessions)
            ]
            # The other browser's session id through this browser's cookie reaches this
            # browser's process, which does not know it: what a proxy without stickiness does.
            foreign = first.upload(sessions[1].session_id, "lost")
            for session in sessions:
                await session.close()
            return uploads, foreign

        uploads, foreign = asyncio.run(class_of_two())
        assert uploads == [204, 204] and foreign == 400
        time.sleep(0.5)  # nginx logs a websocket when it closes
        for browser, process in ((first, first_process), (second, second_process)):
            seen = [
                (up, line.split()[1]) for key, up, line in served.access_log() if key == browser.key
            ]
            assert {up for up, _ in seen} == {process}
            paths = {path.split("/")[1] or "/" for _, path in seen}
            for path in ("/", "static", "_stcore"):
                assert path in paths
            assert any(path == "/_stcore/stream" for _, path in seen)
            assert any(path.startswith("/_stcore/upload_file/") for _, path in seen)

        tree = descendants(served.process.pid)
        assert len(tree) >= 4  # two Streamlit processes, nginx's master and its worker
    finally:
        code, output = served.stop()
    assert code == 0, output
    assert "stopping" in output
    time.sleep(0.5)
    assert [pid for pid in tree if alive(pid)] == []
    for address in [*served.backends, f"127.0.0.1:{served.port}"]:
        host, port = address.split(":")
        with pytest.raises(OSError), socket.create_connection((host, int(port)), timeout=2):
            pass


@needs_nginx
def test_a_process_that_dies_at_once_stops_everything_and_says_which(tmp_path):
    served = Served(tmp_path, processes=1)
    tree = descendants(served.process.pid)
    streamlit = next(pid for pid in tree if "streamlit" in Path(f"/proc/{pid}/cmdline").read_text())
    os.kill(streamlit, signal.SIGKILL)
    output, _ = served.process.communicate(timeout=30)
    assert served.process.returncode == 1
    assert "Streamlit process 1" in output and "exited with code -9" in output
    assert "stopping everything" in output and "Traceback" not in output
    time.sleep(0.5)
    assert [pid for pid in tree if alive(pid)] == []


def key_reaching(served: Served, backend: str) -> str:
    """A sticky-cookie value that nginx sends to `backend` (found by asking with a few)."""
    for _ in range(64):
        key = secrets.token_hex(16)
        requests.get(served.url + "/_stcore/health", cookies={proxy.STICKY_COOKIE: key}, timeout=30)
        if any(k == key and up == backend for k, up, _ in served.access_log()):
            return key
    raise AssertionError(f"no key of 64 reached {backend}")


def browser_on_its_process(
    served: Served, chromium, tmp_path: Path, key: str | None = None
) -> tuple[str, str]:
    """A new Chromium profile opens the page, downloads the text (a /media file), uploads a
    short .txt on the Train view and sees the page read it; returns (its key, its process).
    `key`: the sticky cookie the profile already holds (else nginx gives it one)."""
    from playwright.sync_api import expect

    context = chromium.new_context(accept_downloads=True)
    if key is not None:
        context.add_cookies([{"name": proxy.STICKY_COOKIE, "value": key, "url": served.url}])
    page = context.new_page()
    page.goto(served.url)
    expect(page.locator(".charlm-text").first).to_be_visible(timeout=60_000)
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Download text").click()
    assert Path(download.value.path()).read_text(encoding="utf-8").strip()
    page.goto(served.url + "/?view=train")
    page.get_by_text("Upload a .txt file").click()
    short = tmp_path / "short.txt"
    short.write_text("far too short " * 10, encoding="utf-8")
    page.locator('input[type="file"]').set_input_files(str(short))
    expect(page.get_by_text("This file has 140 characters", exact=False)).to_be_visible(
        timeout=30_000
    )
    key = next(c["value"] for c in context.cookies() if c["name"] == proxy.STICKY_COOKIE)
    context.close()
    seen = [(up, line) for k, up, line in served.access_log() if k == key]
    assert len({up for up, _ in seen}) == 1, seen
    paths = " ".join(line for _, line in seen)
    assert "GET /media/" in paths and "PUT /_stcore/upload_file/" in paths
    assert "GET /_stcore/stream" in paths
    return key, seen[0][0]


@needs_nginx
@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
def test_real_browsers_download_and_upload_through_their_own_process(tmp_path):
    from playwright.sync_api import sync_playwright

    served = Served(tmp_path, processes=2)
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            # A new browser lands on either process, at random; a second one is sent to the
            # other process by its cookie (six at random all met one process 1 run in 32).
            _, first = browser_on_its_process(served, chromium, tmp_path)
            other = next(backend for backend in served.backends if backend != first)
            key = key_reaching(served, other)
            assert browser_on_its_process(served, chromium, tmp_path, key) == (key, other)
            processes = {first, other}
            chromium.close()
        assert processes == set(served.backends)
        statuses = set(re.findall(r"status=(\d+)", (served.run_dir / proxy.ACCESS_LOG).read_text()))
        # 499: the browser dropped a request it no longer needed (it navigated or closed).
        assert {st for st in statuses if int(st) >= 400} <= {"499"}, statuses
    finally:
        code, output = served.stop()
    assert code == 0, output


@needs_nginx
def test_a_taken_port_is_said_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "charlm", "serve", "--processes=1", f"--port={port}"]
        command += ["--address=127.0.0.1", f"--run-dir={tmp_path / 'serve'}"]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert f"cannot listen on port {port}" in done.stderr and "--port" in done.stderr
    assert not list((tmp_path / "serve").glob("streamlit-*.log"))  # no process was started


class Restarted(Exception):
    """Ends watch()'s endless loop once it has restarted a process."""


def watched_group(tmp_path, backend_ran_s: float) -> server_group.ServerGroup:
    """A group whose nginx runs and whose one Streamlit process has exited after running
    `backend_ran_s` seconds (no real Streamlit: watch() only looks at the processes)."""
    group = server_group.ServerGroup(1, 8501, None, tmp_path, say=print)
    group.nginx = server_group.Child("nginx", [], tmp_path / "error.log")
    group.nginx.process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    backend = group.backends[0]
    backend.process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    backend.process.wait()
    backend.started = time.monotonic() - backend_ran_s
    return group


def test_a_process_that_dies_after_a_while_is_restarted_on_its_port(tmp_path, monkeypatch, capsys):
    group = watched_group(tmp_path, backend_ran_s=server_group.RESTART_AFTER_S + 1)

    def restart(child, env):
        raise Restarted(child.name, child.port)

    monkeypatch.setattr(server_group, "start", restart)
    try:
        with pytest.raises(Restarted) as restarted:
            group.watch()
    finally:
        group.nginx.process.kill()
    assert restarted.value.args == ("Streamlit process 1", group.backends[0].port)
    said = capsys.readouterr().out
    assert "Streamlit process 1" in said and "exited with code 3" in said and "restarting" in said


def test_a_process_that_dies_soon_after_its_start_stops_the_group(tmp_path):
    group = watched_group(tmp_path, backend_ran_s=1)
    try:
        with pytest.raises(
            server_group.ServeError,
            match=r"exited with code 3, \d s after it started: stopping everything",
        ):
            group.watch()
    finally:
        group.nginx.process.kill()
