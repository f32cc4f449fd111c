"""Every user or file string the page shows as Markdown or HTML is escaped (issue 19, item 5).

The same payload goes into every input a visitor types in and every file string the page
shows; no element's Markdown source may hold it unescaped: no image, link, emphasis or tag."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from charlm.common import atomic
from charlm.serving import ownership

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
PAYLOAD = "![x](http://example.invalid/a.png) **b** <img src=x> [l](http://example.invalid)"
KINDS = ("markdown", "caption", "info", "warning", "error", "success", "title", "header")
# The tiny model knows none of "<![]*": seed text shows them in its dropped-characters notice.
DROPPED = "'<'"
# Unescaped: "![" (image), "](" (link), "**b" (emphasis), "<img" (a tag; in HTML it is
# &lt;img), and a bare address, which GitHub-flavoured Markdown links even when escaped.
UNSAFE = re.compile(r"(?<!\\)!(?=\[)|(?<!\\)\]\(|(?<!\\)\*\*b|(?<!\\)<img|https?\\?:\\?/")


def shown(at) -> list[str]:
    """The Markdown source of every element that renders Markdown (or HTML)."""
    return [e.value for kind in KINDS for e in at.get(kind)]


def assert_escaped(at, where: str, marker: str = "example.invalid") -> None:
    """No element holds the payload unescaped; `marker` shows it reached the page."""
    assert not at.exception, [e.value for e in at.exception]
    sources = shown(at)
    readable = [re.sub(r"\\(.)", r"\1", s) for s in sources]  # as a reader sees it
    assert any(marker in s for s in readable), f"{where}: the payload is not shown"
    bad = [s for s in sources if UNSAFE.search(s)]
    assert bad == [], f"{where}: {bad}"


def run(query, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(query)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    return at


def test_markdown_escaping_also_stops_bare_addresses():
    from charlm.ui import safe

    for address in ("http://example.invalid/a", "www.example.invalid", "me@example.invalid"):
        escaped = safe.markdown(f"see {address} now")
        assert not re.search(r"https?:/|www\.|@[\w-]+\.", re.sub(r"\\(.)", r"\1", escaped))
        assert escaped.replace("\u2060", "").replace("\\", "") == f"see {address} now"


def test_the_compare_temperatures_box(app_env):
    at = run({"view": "compare"})
    at.text_input(key="compare_text").input(f"0.5, {PAYLOAD}").run()
    assert_escaped(at, "compare box")


@pytest.mark.parametrize("view", ["explore", "compare", "neurons"])
def test_the_seed_box_and_its_dropped_characters(app_env, view):
    at = run({"view": view})
    at.text_area(key="seed_text").input(PAYLOAD + " the man").run()
    assert_escaped(at, f"seed text in {view}", DROPPED)


def test_own_text_in_the_neurons_view(app_env):
    at = run({"view": "neurons"})
    at.radio(key="neuron_source").set_value("own").run()
    at.text_area(key="neuron_text").input(PAYLOAD).run()
    assert_escaped(at, "own neuron text", DROPPED)


@pytest.mark.parametrize("key", ["model", "lang", "seed", "cmp", "t", "k", "view"])
def test_every_link_parameter(app_env, key):
    assert_escaped(run({key: PAYLOAD}), f"?{key}=", DROPPED if key == "seed" else "example.invalid")


def test_a_neurons_json_source(app_env):
    path = app_env / "tiny-model" / "neurons.json"
    report = atomic.read_json(path)
    if report is None:
        pytest.skip("the tiny model has no neurons.json")
    atomic.write_json(path, {**report, "source": PAYLOAD})
    assert_escaped(run({"view": "neurons"}), "neurons.json source")


def test_upload_file_name_and_run_name_in_the_train_form(app_env, isolated_runs):
    from charlm.common.settings import load_settings
    from charlm.ui.train_panel import launch

    outcome, message = launch(
        load_settings(), "quick", 1, 0, "upload", (PAYLOAD + ".txt", b"short"), "", "en"
    )
    assert outcome == "refused" and "example\\.invalid" in message and not UNSAFE.search(message)


def test_a_runs_own_messages(app_env, isolated_runs):
    run_dir = isolated_runs / "odd"
    atomic.write_json(run_dir / "run.json", {"name": PAYLOAD, "recipe": {"name": "seed"}})
    atomic.write_json(run_dir / "progress.json", {"status": "failed", "message": PAYLOAD})
    ownership.write_access(run_dir, ownership.new_access(None, private=False))
    assert_escaped(run({"view": "train"}), "a failed run's message")
    atomic.write_json(run_dir / "progress.json", {"status": "cancelled", "message": PAYLOAD})
    assert_escaped(run({"view": "train"}), "a cancelled run's note")
