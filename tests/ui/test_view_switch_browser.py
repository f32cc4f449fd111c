"""Choices that live outside the sidebar survive a view switch in real Chromium (persist_state):
the step inspector's "show the sampling pipeline" and the Class view's activity."""

from pathlib import Path

import pytest
from test_browser import CHROMIUM
from test_page_browser import chromium, open_page, page_server, settled, show_view  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]
PIPELINE = "Show the sampling pipeline: T → top-k → top-p → min-p"


def test_the_pipeline_stays_open_after_compare(page_server, chromium):  # noqa: F811
    from playwright.sync_api import expect

    page = open_page(chromium, page_server)
    box = page.get_by_role("checkbox", name=PIPELINE)
    box.scroll_into_view_if_needed()
    page.locator('[data-testid="stCheckbox"]').filter(has=box).click()
    title = page.get_by_role("heading", name="The sampling pipeline at this step")
    expect(title).to_be_visible(timeout=30_000)
    show_view(page, "Compare temperatures")
    show_view(page, "Explore")
    expect(box).to_be_checked(timeout=30_000)
    expect(title).to_be_visible(timeout=30_000)
    page.close()


def test_the_class_activity_stays_chosen_after_explore(page_server, chromium):  # noqa: F811
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{page_server}/?view=class")
    vote = page.get_by_role("radio", name="Which reads best?", exact=True)
    vote.click(timeout=60_000)
    prompt = page.get_by_text("Which text reads best?", exact=True)
    expect(prompt).to_be_visible(timeout=30_000)
    settled(page)
    show_view(page, "Explore")
    show_view(page, "Class")
    expect(vote).to_be_checked(timeout=30_000)
    expect(prompt).to_be_visible(timeout=30_000)
    page.close()
