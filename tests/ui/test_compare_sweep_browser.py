"""The Compare view's sweep control in real Chromium: switching to top-p redraws the charts
along top-p, the choice survives Explore -> Compare, and axe finds nothing serious with the
knob sweep shown, in English and Korean, on a desktop and a phone."""

from pathlib import Path

import pytest
from test_browser import CHROMIUM, VIEWPORTS
from test_page_browser import chromium, page_server, settled, show_view  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]

CHART_TEXT = """() => Array.from(document.querySelectorAll(
    '[data-testid="stVegaLiteChart"] svg text')).map((t) => t.textContent)"""


def open_compare(browser, url: str, viewport=(1366, 768)):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(url)
    expect(page.get_by_role("radio", name="top-p", exact=True)).to_be_visible(timeout=60_000)
    settled(page, 1500)
    return page


def chart_text(page) -> list[str]:
    page.locator('[data-testid="stVegaLiteChart"] svg text').last.wait_for(timeout=30_000)
    return page.evaluate(CHART_TEXT)


def test_switching_the_sweep_to_top_p_redraws_it_and_explore_keeps_the_choice(
    page_server,  # noqa: F811
    chromium,  # noqa: F811
):
    from playwright.sync_api import expect

    page = open_compare(chromium, f"{page_server}/?view=compare")
    before = chart_text(page)
    assert "held-out cross-entropy (nats/char)" in before
    page.get_by_role("radio", name="top-p", exact=True).click()
    heading = page.get_by_role("heading", name="Sweep along top-p at T = 0.5")
    expect(heading).to_be_visible(timeout=30_000)
    settled(page, 1500)
    after = chart_text(page)
    assert "top-p (probability kept)" in after and "real words at the same surprisal" in after
    assert "held-out cross-entropy (nats/char)" not in after
    assert "sweep=top_p" in page.url

    show_view(page, "Explore")
    assert "sweep=top_p" in page.url  # the link keeps it while Compare is hidden
    show_view(page, "Compare temperatures")
    expect(heading).to_be_visible(timeout=30_000)
    top_p = page.get_by_role("radio", name="top-p", exact=True)
    expect(top_p).to_be_checked()
    assert "top-p (probability kept)" in chart_text(page)
    page.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_serious_accessibility_violations_with_the_knob_sweep(page_server, chromium, lang):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    found = {}
    for width, viewport in VIEWPORTS.items():
        page = open_compare(chromium, f"{page_server}/?view=compare&sweep=min_p&lang={lang}",
                            viewport)  # fmt: skip
        chart_text(page)  # the charts have drawn
        bad = [
            f"{v['id']} x{len(v['nodes'])} {[n['html'][:120] for n in v['nodes']]}"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        if bad:
            found[width] = bad
        page.close()
    assert not found, found
