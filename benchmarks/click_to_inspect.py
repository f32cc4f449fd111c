"""Click-to-inspect as a user meets it, against a running server: seconds from a click on a
generated character to the inspector's Step slider showing it, whether the page reloaded, and,
for scale, seconds from one ArrowRight on Temperature to the text changing.

    .venv/bin/python -m streamlit run streamlit_app.py --server.port 8731 &
    .venv/bin/python benchmarks/click_to_inspect.py http://127.0.0.1:8731

Measured (issue 18, 2 shared cores, load 4-12): a ?step=N link reload took 2.39 s median,
9 of 9 clicks reloaded the page (T move 0.78 s); the in-place component takes 0.54 s, no reload
(T move 0.65 s).
"""

from __future__ import annotations

import statistics
import sys
import time


def main(url: str, chromium: str = "/usr/bin/chromium") -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(url)
        expect(page.locator(".charlm-text").first).to_be_visible(timeout=60_000)
        page.wait_for_timeout(3000)
        sliders = page.locator('[data-testid="stSlider"]')
        step = sliders.filter(has_text="Step").locator('input[type="range"]')
        clicks, reloads = [], 0
        for n in (25, 40, 60, 80, 100, 120, 140, 160, 180):
            page.evaluate("window.sameDocument = true")
            span = page.locator(".charlm-text[data-inspect]").first.locator("span[title]")
            start = time.monotonic()
            span.nth(n - 1).click()
            expect(step).to_have_value(str(n), timeout=30_000)
            clicks.append(time.monotonic() - start)
            reloads += not page.evaluate("window.sameDocument === true")
            page.wait_for_timeout(700)
        temperature = sliders.filter(has_text="Temperature T").locator('input[type="range"]')
        moves, box = [], page.locator(".charlm-text").first
        for _ in range(6):
            before = box.inner_text()
            temperature.focus()
            start = time.monotonic()
            page.keyboard.press("ArrowRight")
            while box.inner_text() == before and time.monotonic() - start < 30:
                page.wait_for_timeout(20)
            moves.append(time.monotonic() - start)
            page.wait_for_timeout(700)
        browser.close()
    print(f"click -> step shown: median {statistics.median(clicks):.2f} s, reloads {reloads}/9")
    print(f"temperature move -> text changed: median {statistics.median(moves):.2f} s")


if __name__ == "__main__":
    main(*sys.argv[1:])
