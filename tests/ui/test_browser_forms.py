"""The Compare temperatures box and the Train form in real Chromium (issue 18, defects 3 and 5)."""

import re
import time
from pathlib import Path

import pytest
from test_browser import CHROMIUM, launch_chromium, server  # noqa: F401 (server: a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]

ELEVEN = "0.05,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0"


def test_compare_says_it_keeps_six_of_eleven_temperatures_and_the_link_says_so(server):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server}/?view=compare")
        box = page.get_by_label(re.compile("Temperatures, separated by commas"))
        expect(box).to_be_visible(timeout=60_000)
        expect(page.get_by_label(re.compile(r"\(up to 6\)"))).to_be_visible()
        box.fill(ELEVEN)
        box.press("Enter")
        notice = page.get_by_text(re.compile("Only the first 6 temperatures are compared"))
        expect(notice).to_be_visible(timeout=30_000)
        expect(notice).to_contain_text("0.6, 0.7, 0.8, 0.9, 1")
        expect(page.locator("h3", has_text=re.compile(r"^T = "))).to_have_count(6)
        expect(page).to_have_url(re.compile(r"cmp=0\.05%2C0\.1%2C0\.2%2C0\.3%2C0\.4%2C0\.5(&|$)"))

        opened = browser.new_page(viewport={"width": 1400, "height": 1000})
        opened.goto(f"{server}/?view=compare&cmp={ELEVEN}")  # a link with eleven
        link_notice = opened.get_by_text(re.compile("only the first 6 temperatures"))
        expect(link_notice).to_be_visible(timeout=60_000)
        expect(link_notice).to_contain_text("0.6, 0.7, 0.8, 0.9, 1")
        browser.close()


def hold_the_dispatcher(runs: Path):
    """Hold the dispatcher's lock, so no trainer starts: the test plays the dispatcher."""
    from filelock import FileLock

    from charlm.serving import run_queue

    runs.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(runs / run_queue.DISPATCHER_LOCK))
    lock.acquire(timeout=5)
    return lock


def test_train_form_enter_uploader_queue_banner_and_time_left(server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    from charlm.common import atomic
    from charlm.serving import run_queue
    from charlm.training.train import run_lock, trainer_lock

    runs = tmp_path / "runs"
    lock = hold_the_dispatcher(runs)
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server}/?view=train")
            epochs = page.get_by_label(re.compile(r"Epochs \(at most"))
            expect(epochs).to_be_visible(timeout=60_000)
            expect(page.get_by_text(re.compile("Training time in minutes"))).to_be_visible()
            expect(page.get_by_text(re.compile("default 3 minutes"))).to_be_visible()
            # Nietzsche is chosen: no uploader
            expect(page.locator('[data-testid="stFileUploader"]')).to_have_count(0)

            # Enter in the Epochs box must not start a run
            epochs.fill("2")
            epochs.press("Enter")
            page.wait_for_timeout(2500)
            assert not run_queue.pending(runs)
            assert not [d for d in runs.iterdir() if d.is_dir() and not d.name.startswith(".")]
            expect(page.get_by_text("No training runs yet.")).to_be_visible()

            # the uploader: our own words with the minimum; a short file is named at once
            page.get_by_text("Upload a .txt file").click()
            uploader = page.locator('[data-testid="stFileUploader"]')
            expect(uploader).to_be_visible(timeout=30_000)
            expect(page.get_by_text(re.compile(r"at least 10,000 characters"))).to_be_visible()
            dropzone = page.locator('[data-testid="stFileUploaderDropzone"]')
            assert "per file" not in dropzone.inner_text()
            assert "Upload" not in dropzone.inner_text()
            short = tmp_path / "short.txt"
            short.write_text("far too short " * 10, encoding="utf-8")
            page.locator('input[type="file"]').set_input_files(str(short))
            warning = page.get_by_text(re.compile("This file has 140 characters"))
            expect(warning).to_be_visible(timeout=30_000)
            page.get_by_text("Nietzsche (Beyond Good and Evil)").click()
            expect(uploader).to_have_count(0, timeout=30_000)

            # Train: the run waits in line, then runs; no "in line" banner stays above it
            page.get_by_role("button", name="Train").click()
            expect(page.get_by_text(re.compile("number 1 in line"))).to_be_visible(timeout=30_000)
            (request,) = run_queue.pending(runs)
            assert "--max-seconds=180" in request.args
            assert run_queue.take_next(runs) == request  # what the dispatcher does
            trainer = run_lock(runs)  # and the trainer takes the runs' and its run's locks
            trainer.acquire(timeout=5)
            own = trainer_lock(request.run_dir)
            own.acquire(timeout=5)
            atomic.write_json(
                request.run_dir / "progress.json",
                {"status": "running", "started": time.time(), "epoch": 0, "epochs": 30, "batch": 40,
                 "fraction": 0.01, "eta_seconds": 719.6},
            )  # fmt: skip
            expect(page.get_by_text("Status: running")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("About 12 min 0 s left")).to_be_visible(timeout=10_000)
            page.wait_for_timeout(1000)
            assert "in line" not in page.locator('[data-testid="stMain"]').inner_text()
            assert "60 s" not in page.content()
            own.release()
            trainer.release()
            browser.close()
    finally:
        lock.release()
