"""A real browser: Playwright drives Debian's Chromium against `streamlit run` on localhost."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHARLM_CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, tiny_seed_model):
    artifacts = tmp_path / "artifacts"
    shutil.copytree(tiny_seed_model, artifacts / "tiny-model")
    port = free_port()
    env = {**os.environ, "CHARLM_ARTIFACTS": str(artifacts), "CHARLM_RUNS": str(tmp_path / "runs")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "streamlit_app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(url, proc)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_page_renders_slider_moves_by_keyboard_and_text_changes(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        text_box = page.locator(".charlm-text").first
        expect(text_box).to_be_visible(timeout=60_000)
        before = text_box.inner_text()
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        expect(chart).to_be_visible(timeout=30_000)

        slider = (
            page.locator('[data-testid="stSlider"]')
            .filter(has_text="Temperature T")
            .locator('input[type="range"]')
        )
        start_value = float(slider.input_value())
        slider.focus()
        for _ in range(30):
            page.keyboard.press("ArrowRight")
        expect(slider).to_have_value("0.8", timeout=10_000)
        assert float(slider.input_value()) == pytest.approx(start_value + 0.30, abs=1e-6)
        deadline = time.monotonic() + 30
        while text_box.inner_text() == before and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert text_box.inner_text() != before
        expect(page).to_have_url(re.compile(r"[?&]t=0\.8(&|$)"), timeout=10_000)
        shot = tmp_path / "page.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        if os.environ.get("CHARLM_SCREENSHOT_DIR"):
            shutil.copy(shot, Path(os.environ["CHARLM_SCREENSHOT_DIR"]) / "page.png")
        browser.close()


def wait_until_healthy(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    """Return once the server at `url` answers its health check; fail the test (and stop the
    server) if it does not within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    output = proc.stdout.read().decode()[-2000:] if proc.stdout else ""
    pytest.fail(f"streamlit did not start: {output}")


def launch_chromium(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])


def test_two_people_one_cannot_see_or_control_the_others_private_run(
    server, tmp_path, tiny_seed_model
):
    """Two browsers, two cookies: the owner sees and controls a run on uploaded text (also
    after a reload); the other person sees neither the run nor its model."""
    from playwright.sync_api import expect, sync_playwright

    from charlm.common import atomic
    from charlm.serving import ownership

    runs = tmp_path / "runs"
    with sync_playwright() as p:
        browser = launch_chromium(p)
        owner, stranger = browser.new_context(), browser.new_context()
        owner_page, stranger_page = owner.new_page(), stranger.new_page()
        for page in (owner_page, stranger_page):
            page.goto(f"{server}/?view=train")
            expect(page.get_by_text("Train your own model")).to_be_visible(timeout=60_000)
        tokens = {}
        for name, context in (("owner", owner), ("stranger", stranger)):
            deadline = time.monotonic() + 20
            while not tokens.get(name) and time.monotonic() < deadline:
                found = [c["value"] for c in context.cookies() if c["name"] == "charlm_owner"]
                tokens[name] = found[0] if found else None
                time.sleep(0.2)
        assert tokens["owner"] and tokens["stranger"] and tokens["owner"] != tokens["stranger"]

        run_dir = runs / "secret-diary"
        atomic.write_json(run_dir / "run.json", {"name": "secret-diary", "recipe": {}})
        atomic.write_json(run_dir / "progress.json", {"status": "done", "epoch": 1, "epochs": 1})
        shutil.copytree(tiny_seed_model, run_dir / "model")
        access = ownership.new_access(ownership.owner_id(tokens["owner"]), private=True)
        ownership.write_access(run_dir, access)
        time.sleep(2.5)  # the shared model list is rescanned every 2 s

        owner_page.reload()  # a reload keeps the cookie, so control stays
        expect(owner_page.get_by_role("button", name="Delete run")).to_be_visible(timeout=30_000)
        stranger_page.reload()
        expect(stranger_page.get_by_text("Train your own model")).to_be_visible(timeout=30_000)
        stranger_page.wait_for_timeout(2000)
        assert "secret-diary" not in stranger_page.content()
        assert stranger_page.get_by_role("button", name="Delete run").count() == 0
        stranger_page.goto(f"{server}/?model=runs/secret-diary")
        expect(stranger_page.locator(".charlm-text").first).to_be_visible(timeout=30_000)
        assert "is not available" in stranger_page.content()
        browser.close()


VIEWPORTS = {"desktop": (1400, 1000), "phone": (390, 844)}


def open_view(browser, url: str, viewport) -> object:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(url)
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)
    ready = page.locator(".charlm-text, [data-testid='stForm']").first
    expect(ready).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1000)  # charts draw after the text
    return page


def test_no_serious_accessibility_violations_on_any_view_language_or_width(server):
    """axe-core (bundled by axe-playwright-python) on every view, in both languages, at
    desktop and phone widths: no violation of impact serious or critical."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe, found = Axe(), {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for width, viewport in VIEWPORTS.items():
            for lang in ("en", "ko"):
                for view in ("explore", "compare", "neurons", "train"):
                    page = open_view(browser, f"{server}/?view={view}&lang={lang}", viewport)
                    results = axe.run(page).response["violations"]
                    bad = [
                        f"{v['id']} x{len(v['nodes'])}"
                        for v in results
                        if v["impact"] in {"serious", "critical"}
                    ]
                    if bad:
                        found[f"{width}/{lang}/{view}"] = bad
                    page.close()
        browser.close()
    assert not found, found


def test_keyboard_alone_reaches_the_controls_with_a_visible_focus_and_moves_the_text(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = open_view(browser, server, VIEWPORTS["desktop"])
        before = page.locator(".charlm-text").first.inner_text()
        reached = []

        def tab_to(wanted: str) -> list[str]:
            for _ in range(40):
                page.keyboard.press("Tab")
                focus = page.evaluate(
                    "() => { const e = document.activeElement; const s = getComputedStyle(e);"
                    " return [e.getAttribute('aria-label') || e.labels?.[0]?.innerText"
                    " || e.innerText?.slice(0, 40) || e.tagName, s.outlineStyle]; }"
                )
                reached.append(focus)
                if wanted in str(focus[0]):
                    break
            return [str(label) for label, _ in reached]

        labels = tab_to("Temperature T")
        assert any("Explore" in label for label in labels)  # the view switch
        assert "Temperature T" in labels[-1], labels
        for _ in range(20):
            page.keyboard.press("ArrowRight")
        deadline = time.monotonic() + 30
        text_box = page.locator(".charlm-text").first
        while text_box.inner_text() == before and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert text_box.inner_text() != before
        # the seed box comes after the text it seeds (the first screen is for T and the text)
        assert "Seed text" in tab_to("Seed text")[-1], reached
        assert all(outline != "none" for _, outline in reached), reached
        browser.close()


def test_chart_slider_reweights_the_bars_in_the_browser_without_a_rerun(server):
    """The step inspector's own T slider: the bars change, and not one message goes to the
    server while it is dragged (q = p^(1/T) is computed by Vega-Lite in the page)."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sent = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
        page.goto(server)
        expect(page.locator(".charlm-text").first).to_be_visible(timeout=60_000)
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.scroll_into_view_if_needed()
        slider = chart.locator('input[type="range"]')
        expect(slider).to_be_visible(timeout=30_000)
        page.wait_for_timeout(1500)  # the page's own messages have settled
        bars_before, messages_before = chart.screenshot(), len(sent)
        box = slider.bounding_box()
        middle = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] * 0.24, middle)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.9, middle, steps=10)
        page.mouse.up()
        page.wait_for_timeout(1000)
        assert float(slider.input_value()) > 1.5
        assert chart.screenshot() != bars_before
        assert len(sent) == messages_before
        browser.close()


def test_clicking_a_character_opens_that_step_in_the_inspector(server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        text_box = page.locator(".charlm-text[data-inspect]").first
        expect(text_box).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1000)
        text_box.locator("span[title]").nth(24).click()
        step = (
            page.locator('[data-testid="stSlider"]')
            .filter(has_text="Step")
            .locator('input[type="range"]')
        )
        expect(step).to_have_value("25", timeout=30_000)
        browser.close()


GLYPH_PAIRS = {
    "Hangul": ("가", "힣"),
    "CJK": ("中", "国"),
    "Greek": ("α", "β"),
    "Cyrillic": ("ж", "щ"),
}


def test_hangul_greek_cyrillic_and_cjk_render_as_real_glyphs(server):
    """A missing font draws every character as the same empty box ("tofu"): two different
    characters of each script must come out as different pixels, on the page's own font stack."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = open_view(browser, f"{server}/?lang=ko", VIEWPORTS["desktop"])
        differ = page.evaluate(
            """(pairs) => {
                const font = "32px " + getComputedStyle(document.body).fontFamily;
                const pixels = (ch) => {
                    const c = document.createElement("canvas"); c.width = 48; c.height = 48;
                    const g = c.getContext("2d"); g.font = font; g.fillText(ch, 4, 36);
                    return Array.from(g.getImageData(0, 0, 48, 48).data).join(",");
                };
                const out = {};
                for (const [script, [a, b]] of Object.entries(pairs)) {
                    out[script] = pixels(a) !== pixels(b);
                }
                return out;
            }""",
            GLYPH_PAIRS,
        )
        browser.close()
    assert differ == {script: script != "control" for script in GLYPH_PAIRS}, differ


def chart_texts(chart) -> list[str]:
    """Every text the chart's SVG draws (axis labels, titles, text marks)."""
    return chart.evaluate("c => Array.from(c.querySelectorAll('svg text')).map(t => t.textContent)")


def test_inspector_figures_and_entropy_marker_follow_the_charts_own_slider(server):
    """Issue 18, defect 4: dragging the inspector's T changes "Entropy after", "sampled from"
    and the entropy curve's marker too, all in the browser; the slider has an accessible name."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = open_view(browser, server, VIEWPORTS["desktop"])
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.scroll_into_view_if_needed()
        slider = page.get_by_role("slider", name=re.compile("try T here"))
        expect(slider).to_be_visible(timeout=30_000)

        def figures():
            texts = chart_texts(chart)
            after = next(t for t in texts if "Entropy after" in t)
            chosen = next(t for t in texts if "sampled from" in t)
            marker = chart.locator("path[aria-roledescription='point']")
            box = marker.first.bounding_box() if marker.count() else None
            return after, chosen, box

        page.wait_for_timeout(1000)
        before = figures()
        slider.fill("1.9")  # sets the value and fires input, as a drag does
        page.wait_for_timeout(1000)
        after = figures()
        assert after[0] != before[0] and after[1] != before[1], (before, after)
        assert before[2] and after[2] and after[2]["x"] > before[2]["x"] + 50
        browser.close()


def test_phone_temperature_sweep_stacks_without_sideways_scroll(server):
    """Issue 18, defect 8: at 390 px the sweep's panels fit the column; nothing scrolls
    sideways; the panels come in one order in both languages."""
    from playwright.sync_api import sync_playwright

    orders = {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for lang in ("en", "ko"):
            page = open_view(browser, f"{server}/?view=compare&lang={lang}", VIEWPORTS["phone"])
            page.locator('[data-testid="stVegaLiteChart"] svg').last.wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
            widths = page.evaluate(
                """() => [document.documentElement.scrollWidth,
                   ...Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart]'))
                     .map(c => c.querySelector('svg').getBoundingClientRect().right)]"""
            )
            assert max(widths) <= VIEWPORTS["phone"][0], widths
            titles = page.evaluate(
                """() => Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart]'))
                    .map(c => c.getBoundingClientRect().top)"""
            )
            orders[lang] = titles
            page.close()
        browser.close()
    assert len(orders["en"]) == len(orders["ko"]) >= 4


def test_korean_page_draws_korean_on_its_charts(server):
    """Issue 18: chart axes, series and the space/newline labels come from the strings table."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = open_view(browser, f"{server}/?lang=ko&len=200", VIEWPORTS["desktop"])
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.locator("svg text").first.wait_for(timeout=30_000)
        texts = " | ".join(chart_texts(chart))
        assert "다음 글자" in texts and "재가중 후 엔트로피" in texts, texts
        assert not re.search(r"space|newline|next character|Entropy", texts), texts
        browser.close()


def test_memory_chart_draws_the_dashed_threshold_it_promises(server):
    """Issue 18, defect 7: the caption's dashed 1% line is drawn."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = open_view(browser, f"{server}/?view=neurons", VIEWPORTS["desktop"])
        chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="characters back")
        chart.locator("svg").wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        dashed = chart.locator("svg .mark-rule line[stroke-dasharray], svg .mark-rule path")
        assert dashed.count() >= 1
        browser.close()


def test_markdown_typed_in_the_compare_box_stays_literal_text(server):
    """An image typed into the Compare box is shown as text: no <img>, no fetch of its
    address (issue 19, item 5)."""
    from playwright.sync_api import expect, sync_playwright

    payload = "![x](http://example.invalid/a.png) **b** <img src=x>"
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = open_view(browser, f"{server}/?view=compare", VIEWPORTS["desktop"])
        fetched = []
        page.on("request", lambda request: fetched.append(request.url))
        box = page.get_by_label(re.compile("Temperatures, separated by commas"))
        box.fill(f"0.5, {payload}")
        box.press("Enter")
        alert = page.locator('[data-testid="stAlert"]').filter(has_text="example.invalid")
        expect(alert).to_be_visible(timeout=30_000)
        shown = alert.inner_text().replace("\u2060", "")  # the word joiner that stops autolinks
        assert payload in shown
        assert alert.locator("img, strong, a").count() == 0
        assert page.locator("img[src*='example.invalid'], img[src='x']").count() == 0
        browser.close()
    assert [url for url in fetched if "example.invalid" in url] == []
