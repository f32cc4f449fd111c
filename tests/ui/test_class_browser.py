"""The Class view in real Chromium: two browsers' guesses and votes land once each and survive
a server restart; axe finds nothing serious on desktop or phone, in English or Korean."""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_browser import CHROMIUM, ROOT, VIEWPORTS, free_port, launch_chromium

from charlm.serving.class_results import ClassResults

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


class Server:
    """`streamlit run` on a free port; restart() stops it and starts a new process."""

    def __init__(self, env: dict):
        self.env, self.proc = env, None

    def start(self) -> str:
        port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py")]
            + ["--server.headless", "true", "--server.port", str(port)]
            + ["--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1).status == 200:
                    return self.url
            except OSError:
                time.sleep(0.2)
        self.stop()
        pytest.fail("streamlit did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def class_server(tmp_path, tiny_seed_model):
    artifacts = tmp_path / "artifacts"
    shutil.copytree(tiny_seed_model, artifacts / "tiny-model")
    env = {
        **os.environ,
        "CHARLM_ARTIFACTS": str(artifacts),
        "CHARLM_RUNS": str(tmp_path / "runs"),
        "CHARLM_TEACHER_PASSPHRASE": "open sesame",
    }
    server = Server(env)
    server.start()
    yield server
    server.stop()


def open_class(browser_context, url: str, lang: str = "en"):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.goto(f"{url}/?view=class&lang={lang}")
    expect(page.locator("[data-testid='stForm']").first).to_be_visible(timeout=60_000)
    return page


def answer(page, option: str, button: str) -> None:
    from playwright.sync_api import expect

    form = page.locator("[data-testid='stForm']").first
    form.get_by_text(option, exact=True).click()
    form.get_by_role("button", name=button).dblclick()  # a double click: still stored once
    expect(page.locator("[data-testid='stForm']")).to_have_count(0, timeout=30_000)


def test_two_browsers_guess_and_vote_once_each_and_a_restart_keeps_them(class_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    results = ClassResults(tmp_path / "runs" / "class.sqlite3")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        contexts = [browser.new_context(), browser.new_context()]
        for context in contexts:
            page = open_class(context, class_server.url)
            answer(page, "T = 0.5", "Guess")
            expect(page.get_by_text(" of 1 right", exact=False)).to_be_visible()
            page.get_by_role("radio", name="Which reads best?").click()
            expect(page.get_by_text("Text D", exact=True).first).to_be_visible(timeout=30_000)
            answer(page, "Text B", "Vote")
            expect(page.get_by_text("You voted for text B", exact=False)).to_be_visible()
            page.close()
        frame = results.export_frame()
        assert results.counts() == (2, 2)
        assert frame.groupby("kind")["browser"].nunique().to_dict() == {"guess": 2, "vote": 2}

        class_server.stop()
        url = class_server.start()  # a new server process on the same results file
        page = contexts[0].new_page()  # the same browser: its cookie is kept
        page.goto(f"{url}/?view=class")
        page.get_by_role("radio", name="Which reads best?").click(timeout=60_000)
        expect(page.get_by_text("You voted for text B", exact=False)).to_be_visible(timeout=30_000)
        assert results.counts() == (2, 2)
        browser.close()


def test_no_serious_accessibility_violations_on_the_class_view(class_server):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright

    axe, found = Axe(), {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for width, (w, h) in VIEWPORTS.items():
            for lang in ("en", "ko"):
                context = browser.new_context(viewport={"width": w, "height": h})
                page = open_class(context, class_server.url, lang)
                states = {"guess": None, "reveal": ("T = 1", 0), "vote": None, "voted": 1}
                for state in states:
                    if state == "guess":
                        page.wait_for_timeout(1500)  # the page's style and sidebar settle
                    if state == "reveal":
                        answer(page, "T = 1", "맞히기" if lang == "ko" else "Guess")
                        page.wait_for_timeout(1500)  # the chart draws
                    elif state == "vote":
                        name = {"en": "Which reads best?", "ko": "어느 글이 가장 잘 읽히나요?"}
                        page.get_by_role("radio", name=name[lang]).first.click()
                        expect(page.locator("[data-testid='stForm']")).to_have_count(1)
                    elif state == "voted":
                        letter = "글 A" if lang == "ko" else "Text A"
                        answer(page, letter, "투표" if lang == "ko" else "Vote")
                        page.wait_for_timeout(1500)
                    bad = [
                        f"{v['id']} x{len(v['nodes'])} {[n['html'][:160] for n in v['nodes']]}"
                        for v in axe.run(page).response["violations"]
                        if v["impact"] in {"serious", "critical"}
                    ]
                    if bad:
                        found[f"{width}/{lang}/{state}"] = bad
                context.close()
        browser.close()
    assert not found, found


def unlock_teacher(page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("paragraph").filter(has_text=re.compile(r"^Teacher$")).click()  # expander
    page.get_by_label("Teacher passphrase").fill("open sesame")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_text("Teacher: rounds and results")).to_be_visible(timeout=30_000)


def download_csv(page) -> str:
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Download the results (CSV)").click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_the_teachers_csv_is_what_the_file_holds_when_pressed(class_server, tmp_path):
    """An answer that came in after the page ran (through the 3-second refresh only) is in
    the download, and after Clear the download is empty; the set box's warning shows Markdown
    as text (no link, no image fetched)."""
    from playwright.sync_api import expect, sync_playwright

    results = ClassResults(tmp_path / "runs" / "class.sqlite3")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = open_class(browser.new_context(), class_server.url)
        unlock_teacher(page)
        page.wait_for_timeout(3000)  # the page has run: what follows reaches it by refresh only
        results.add_guess("late", "self-1", "b9", 0.5, 1.0, model="tiny-model")  # elsewhere
        expect(page.get_by_text("1 guesses and 0 votes so far", exact=False)).to_be_visible(
            timeout=15_000
        )  # only the refreshing fragment ran since
        rows = download_csv(page).splitlines()
        assert rows[0].startswith("kind,round_or_poll,model,") and "self-1,tiny-model,b9" in rows[1]
        page.get_by_text("Yes, delete every guess and vote").click()
        page.get_by_role("button", name="Clear the results").click()
        expect(page.get_by_text("Every guess, vote and round was deleted.")).to_be_visible()
        assert len(download_csv(page).splitlines()) == 1  # the header alone
        confirm = page.get_by_role("checkbox", name="Yes, delete every guess and vote")
        expect(confirm).not_to_be_checked()  # a second clear asks again

        box = page.get_by_label("Temperatures a passage's hidden T is drawn from")
        box.fill("**bold**, [x](http://evil.example), ![i](http://evil.example/a.png), 0.5")
        box.press("Enter")
        warning = page.get_by_text("The set in use: 0.5", exact=False)
        expect(warning).to_be_visible(timeout=30_000)
        assert "**bold**" in warning.inner_text()
        rendered = "img[src*='evil'], a[href*='evil'], strong:has-text('bold')"
        assert page.locator(rendered).count() == 0
        browser.close()


def test_a_phone_reads_the_four_texts_in_order_and_a_reload_keeps_the_students_place(
    class_server,
):
    """At 390 px the texts stack A, B, C, D (also in the page's order); a reload keeps the
    activity (the link) and, back on Guess, the same passage until it is guessed."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = open_class(context, class_server.url)
        passage = page.locator(".charlm-text").first.inner_text()
        page.reload()
        expect(page.locator("[data-testid='stForm']").first).to_be_visible(timeout=60_000)
        assert page.locator(".charlm-text").first.inner_text() == passage

        page.get_by_role("radio", name="Which reads best?").click()
        expect(page.get_by_text("Text D", exact=True).first).to_be_visible(timeout=30_000)
        titles = page.locator("strong", has_text=re.compile(r"^Text [A-D]$"))
        order = [titles.nth(i).inner_text() for i in range(titles.count())]
        tops = [titles.nth(i).bounding_box()["y"] for i in range(titles.count())]
        assert order == ["Text A", "Text B", "Text C", "Text D"] and tops == sorted(tops)

        expect(page).to_have_url(re.compile(r"[?&]act=vote"), timeout=30_000)
        page.reload()
        expect(page.get_by_text("Text D", exact=True).first).to_be_visible(timeout=60_000)
        assert page.get_by_role("radio", name="Which reads best?").is_checked()
        browser.close()
