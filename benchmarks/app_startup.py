"""The app as a user meets it: cold start to first generated text in a real browser, resident
memory of the Streamlit server, and server-side rerun time when the temperature slider moves.

    python benchmarks/app_startup.py [--model nietzsche-seed] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def maps_mention(pid: int, needle: str) -> bool:
    return needle in Path(f"/proc/{pid}/maps").read_text()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cold_start(chromium: str, model: str) -> dict:
    """Seconds from `streamlit run` to a healthy server and to the first generated text in an
    already-open browser (the browser's own start-up is not the app's), plus server memory."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        start = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.headless", "true", "--server.port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.02)
            healthy = time.perf_counter() - start
            page.goto(f"http://127.0.0.1:{port}/?model={model}")
            page.locator(".charlm-text").first.wait_for(timeout=60_000)
            first_text = time.perf_counter() - start
            page.wait_for_timeout(1000)
            result = {"healthy": healthy, "first_text": first_text, "rss": rss_mb(server.pid),
                      "tensorflow": maps_mention(server.pid, "tensorflow")}  # fmt: skip
        finally:
            server.terminate()
            server.wait()
            browser.close()
    return result


def rerun_times(model: str, repeats: int = 15) -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["model"] = model
    at.run()
    times = []
    for i in range(repeats):
        value = round(0.3 + 0.1 * (i % 15), 2)
        start = time.perf_counter()
        at.slider(key="temperature").set_value(value).run()
        times.append(time.perf_counter() - start)
        assert not at.exception
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="nietzsche-seed")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    starts = [cold_start(args.chromium, args.model) for _ in range(3)]
    best = min(starts, key=lambda r: r["first_text"])
    reruns = rerun_times(args.model)
    every = ", ".join(f"{r['first_text']:.2f}" for r in starts)
    print(f"model {args.model}, CPUs {os.cpu_count()}")
    print(
        f"cold start, best of 3: server healthy {best['healthy']:.2f} s, first text in an open "
        f"Chromium {best['first_text']:.2f} s (all runs: {every} s)"
    )
    tensorflow = "yes" if best["tensorflow"] else "no"
    print(
        f"server resident memory after the first page: {best['rss']:.0f} MB "
        f"(TensorFlow loaded: {tensorflow})"
    )
    print(
        f"rerun after a temperature change (whole script, AppTest): median "
        f"{statistics.median(reruns) * 1000:.0f} ms, max {max(reruns) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
