"""Issue 18 through AppTest: neurons below the stated correlation, "Another passage" and the
subtitle from the model's own corpus, the Train form's budget and time left, link notices,
and no English on a Korean page."""

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
KOREAN = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "korean-constitution.txt"
ELEVEN = "0.05,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0"


def run_app(query=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def tiny_korean_model(tmp_path_factory) -> Path:
    """A tiny quick-recipe model trained on the Korean constitution by the real code."""
    if not KOREAN.is_file():
        pytest.skip(f"{KOREAN} not present")
    from charlm.training.recipes import make_recipe
    from charlm.training.train import train

    root = tmp_path_factory.mktemp("korean")
    corpus = root / "korean-constitution.txt"
    shutil.copy(KOREAN, corpus)
    recipe = make_recipe(
        "quick", units=16, embed_dim=8, seq_len=30, batch_size=32, epochs=1, precision="float32"
    )
    assert train(root / "run", recipe, corpus_path=corpus, verbose=0) == "done"
    return root / "run" / "model"


@pytest.fixture
def korean_env(tmp_path, monkeypatch, tiny_korean_model):
    """The page with the Korean model as its only model."""
    artifacts = tmp_path / "artifacts"
    shutil.copytree(tiny_korean_model, artifacts / "ko-model")
    monkeypatch.setenv("CHARLM_ARTIFACTS", str(artifacts))
    monkeypatch.setenv("CHARLM_NO_AUTORERUN", "1")
    return artifacts / "ko-model"


def hangul(text: str) -> int:
    return sum(0xAC00 <= ord(c) <= 0xD7A3 for c in text)


# ---- defect 6: the model's own text -----------------------------------------------------


def test_another_passage_comes_from_the_models_own_held_out_text(korean_env):
    at = run_app()
    subtitle = at.caption[0].value
    assert "korean-constitution.txt" in subtitle.replace("\\", "")
    assert "Nietzsche" not in subtitle
    at.button(key="another_passage").click()
    at = rerun(at)
    seed = at.text_area(key="seed_text").value
    heldout = (korean_env / "heldout.txt").read_text(encoding="utf-8")
    assert seed and seed in heldout and hangul(seed) > len(seed) // 3
    assert not [i for i in at.info if "left out" in i.value]  # nothing dropped


# ---- defect 7a: no cell listed below the stated correlation ------------------------------


def test_neurons_say_no_cell_tracks_a_feature_below_the_stated_correlation(app_env):
    path = app_env / "tiny-model" / "neurons.json"
    report = json.loads(path.read_text(encoding="utf-8"))
    found = report["features"]["since_space"]  # the tiny corpus has no quotes: weak ones
    weak = [dict(entry, correlation=r) for entry, r in zip(found, (0.04, -0.03, 0.02))]
    report["features"]["in_quotes"] = weak
    found[0]["correlation"] = 0.6
    path.write_text(json.dumps(report), encoding="utf-8")
    at = run_app({"view": "neurons"})
    buttons = [b.key for b in at.button if b.key and b.key.startswith("open_")]
    assert not [k for k in buttons if k.startswith("open_in_quotes_")]
    assert any(k.startswith("open_since_space_") for k in buttons)
    captions = " ".join(c.value for c in at.caption)
    assert "no cell tracks this (every |r| < 0.2)" in captions
    assert "at least 0.2" in captions  # the threshold is stated


# ---- defect 3: the link keeps no more than it says ---------------------------------------


def test_a_link_with_eleven_temperatures_says_which_it_left_out():
    from charlm.ui.params import from_query, parse_compare

    settings = from_query({"cmp": ELEVEN}, ["m"], "m")
    assert settings.compare == (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
    assert ("link_cmp_extra", {"max": 6, "items": "0.6, 0.7, 0.8, 0.9, 1"}) in settings.notices
    assert len(parse_compare(ELEVEN, limit=None)[0]) == 11


def test_compare_view_warns_in_korean_when_it_drops_temperatures(app_env):
    at = run_app({"view": "compare", "lang": "ko"})
    at.text_input(key="compare_text").input(ELEVEN)
    at = rerun(at)
    assert any("앞의 온도 6개만 비교합니다" in w.value for w in at.warning)
    assert at.text_input(key="compare_text").label == "쉼표로 구분한 온도들 (최대 6개)"


def link_notices(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if w.icon == "🔗"]


def test_link_notices_stay_while_the_page_shows_the_link_and_go_once_a_setting_changes(app_env):
    """Found by the class check: notices about `len=5` and `t=abc` stayed (and were translated)
    after the visitor had set another length."""
    at = run_app({"len": "5", "t": "abc"})
    assert len(link_notices(at)) == 2
    at = rerun(at)  # nothing changed: still said
    assert len(link_notices(at)) == 2
    at.segmented_control(key="lang").set_value("ko")
    at = rerun(at)  # the language is not what the notices are about: still said, in Korean
    assert [n.startswith("링크의 값") for n in link_notices(at)] == [True, True]
    at.slider(key="length").set_value(300)
    at = rerun(at)  # the length's notice goes; T is still the default it says it used
    assert len(link_notices(at)) == 1 and "abc" in link_notices(at)[0]
    at.slider(key="temperature").set_value(0.7)
    at = rerun(at)
    assert link_notices(at) == []


def test_every_link_notice_names_the_setting_it_is_about():
    from charlm.ui.params import from_query, notice_about

    bad = {"model": "nope", "seed": "x" * 5000, "lang": "xx", "cmp": "a," + ELEVEN,
           "view": "nope", "sweep": "nope", "act": "nope", "t": "abc", "len": "1e308",
           "rng": "-3", "k": "nan", "p": "7", "minp": "inf"}  # fmt: skip
    notices = from_query(bad, ["m"], "m").notices
    assert len(notices) >= 12
    assert {notice_about(*n) for n in notices} <= set(bad)


# ---- defect 5: the Train form ------------------------------------------------------------


def test_time_left_is_rounded_to_the_second_before_it_is_split():
    from charlm.ui.train_panel import minutes_seconds

    assert minutes_seconds(719.6) == (12, 0)
    assert minutes_seconds(59.4) == (0, 59)
    assert minutes_seconds(-3) == (0, 0)


def test_the_default_run_has_a_time_budget_and_the_form_says_it(
    app_env, isolated_runs, monkeypatch
):
    from charlm.serving import run_queue

    no_trainer(monkeypatch)
    at = run_app({"view": "train"})
    assert at.number_input(key="train_minutes").value == 3
    assert any("default 3 minutes" in c.value for c in at.caption)
    assert not at.get("file_uploader")  # Nietzsche is chosen
    at.button(key="FormSubmitter:train_form-Train").click()
    at = rerun(at)
    (request,) = run_queue.pending(isolated_runs)
    assert "--max-seconds=180" in request.args
    assert any("number 1 in line" in i.value for i in at.info)


def no_trainer(monkeypatch):
    """A run that is queued by mistake starts no trainer process."""
    from charlm.serving import run_queue

    monkeypatch.setattr(run_queue, "ensure_dispatcher", lambda runs_dir: False)


def test_an_upload_run_without_a_file_is_refused_in_the_pages_language(
    app_env, isolated_runs, monkeypatch
):
    no_trainer(monkeypatch)
    at = run_app({"view": "train", "lang": "ko"})
    at.radio(key="train_corpus").set_value("upload")
    at = rerun(at)
    at.button(key="FormSubmitter:train_form-학습 시작").click()
    at = rerun(at)
    assert any("먼저 .txt 파일을 고르세요" in w.value for w in at.warning)
    assert not list(isolated_runs.glob("*/run.json"))


# ---- Korean throughout ------------------------------------------------------------------

# Words a Korean page may show in Latin letters: names, symbols and units.
ALLOWED = {
    "charlm", "lstm", "top-k", "top-p", "min-p", "nats", "bits", "ms", "mb", "utf-8", "txt",
    "argmax",
    "tanh", "chollet", "quick", "seed", "fast",  # the recipes' names, as in the CLI
    # a link's own parameter names, quoted back in its notices
    "cmp", "len", "rng", "lang", "view", "model", "step", "epoch", "sweep",
    "english",  # the language switch names each language in its own
    "csv",  # the sweep table's download format
}  # fmt: skip
# Found by this test in files other helpers own while issue 18 is worked on in parallel
# (reported to the lead): delete each entry once its strings come from the tables.
NOT_YET_TRANSLATED: set[str] = set()
# Proto fields never shown as text, or holding the visitor's own values (the seed text).
HIDDEN_FIELDS = {"tag", "spec", "data", "id", "form_id", "key", "format", "type", "icon",
                 "default", "value", "vega_lite_chart", "arrow_data_frame", "url", "css_class",
                 "stroke", "color", "columns",
                 # a component's own code and data (charlm/ui/browser.py), never shown as text
                 "component_name", "js_content", "js_source_path", "css_content",
                 "css_source_path", "json"}  # fmt: skip


def _strings(message, name=""):
    for field, value in message.ListFields():
        if field.name in HIDDEN_FIELDS:
            continue
        values = value if field.is_repeated else [value]
        for item in values:
            if field.type == field.TYPE_MESSAGE:
                yield from _strings(item, field.name)
            elif field.type == field.TYPE_STRING:
                yield item


def shown_text(at: AppTest) -> list[str]:
    """Every string the page shows: labels, options, help, captions, notices; the titles and
    text of HTML blocks (the coloured text's hover titles included); charts excluded."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", "") not in {"vega_lite_chart", "html"}:
            for item in _strings(proto):
                titles = re.findall(r'title="([^"]*)"', item)
                out.extend(html.unescape(t) for t in titles)
                out.append(html.unescape(re.sub(r"<[^>]+>", " ", item)))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def english_words(texts: list[str], also_allowed: set[str]) -> dict[str, str]:
    """Each word in Latin letters that is not allowed -> the text it was found in."""
    allowed = ALLOWED | NOT_YET_TRANSLATED | {w.lower() for w in also_allowed}
    found = {}
    for item in texts:
        plain = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", re.sub(r"\\(.)", r"\1", item), flags=re.S)
        for word in re.findall(r"[A-Za-z][\w'./-]*[A-Za-z0-9]", plain):
            if word.lower() in allowed or re.fullmatch(r"[ch]\d+", word):  # c8: a cell's name
                continue
            if not re.fullmatch(r"[0-9a-f]{16,}", word[1:]):  # not an element's id
                found.setdefault(word, item[:120])
    return found


def korean_page(at: AppTest, view: str) -> AppTest:
    at.session_state["view"] = view
    return rerun(at)


def test_a_korean_page_shows_no_english_in_any_view_notice_or_refusal(
    korean_env, isolated_runs, monkeypatch
):
    from charlm.common import atomic

    no_trainer(monkeypatch)
    run_dir = isolated_runs / "hanguk"  # a finished run with live samples to show
    atomic.write_json(run_dir / "run.json", {"name": "hanguk", "recipe": {"name": "quick"},
                                             "corpus": {"path": None}})  # fmt: skip
    atomic.write_json(run_dir / "progress.json", {"status": "done", "epoch": 1, "epochs": 1})
    atomic.write_json(
        run_dir / "curve.json",
        [{"seconds": 5.0 * (i + 1), "step": i, "epoch": 0, "batch": i, "val_loss": 3.0 - i / 10,
          "temperature": 0.5, "sample": "대한민국은 민주공화국이다. " * 3} for i in range(3)],
    )  # fmt: skip
    at = run_app({"lang": "ko", "t": "9", "cmp": ELEVEN, "seed": "대한민국은 "})
    names = {"ko-model", "runs/hanguk", "hanguk", "korean-constitution.txt"}  # user's names
    found = {"explore": english_words(shown_text(at), names)}
    korean_page(at, "compare")
    at.text_input(key="compare_text").input(ELEVEN + ", x")  # two notices
    found["compare"] = english_words(shown_text(rerun(at)), names)
    found["neurons"] = english_words(shown_text(korean_page(at, "neurons")), names)
    korean_page(at, "train")
    at.radio(key="train_corpus").set_value("upload")
    at = rerun(at)
    at.button(key="FormSubmitter:train_form-학습 시작").click()  # refused: no file
    found["train"] = english_words(shown_text(rerun(at)), names)
    assert any("링크의 값" in w.value for w in at.warning)  # the link notice was shown
    lines = [f"{view}: {w!r} in {t!r}" for view, words in found.items() for w, t in words.items()]
    assert not lines, "English on a Korean page:\n" + "\n".join(lines)


def test_a_korean_page_shows_a_broken_models_error_in_korean(korean_env):
    (korean_env / "model.keras").write_bytes(b"garbage")
    at = run_app({"lang": "ko"})
    assert at.error, "the error is shown"
    assert any("model.keras" in e.value.replace("\\", "") for e in at.error)  # which file
    found = english_words([e.value for e in at.error], {"ko-model", "model.keras"})
    assert not found, found
