"""Any language: normalisation, large alphabets with an unknown symbol, and a real Korean text
from the Train button to a listed model that writes Hangul."""

import json
import random
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from charlm.generation.artifacts import list_models, load_sampler
from charlm.serving import jobs
from charlm.text.corpus import normalize
from charlm.text.vocab import UNKNOWN_SYMBOL, AlphabetTooLargeError, Vocabulary
from charlm.training.recipes import make_recipe
from charlm.training.train import alphabet_for

KOREAN = Path(__file__).resolve().parents[3] / "shared" / "corpora" / ("korean-constitution.txt")


def hangul_from_jamo(n_syllables: int, seed: int = 0) -> str:
    """Hangul syllables written as conjoining jamo (NFD), with spaces: what some keyboards
    and macOS file names produce."""
    rng = random.Random(seed)
    out = []
    for i in range(n_syllables):
        lead, vowel, tail = rng.randrange(19), rng.randrange(21), rng.randrange(28)
        out.append(chr(0x1100 + lead) + chr(0x1161 + vowel) + (chr(0x11A7 + tail) if tail else ""))
        if i % 3 == 2:
            out.append(" ")
    return "".join(out)


def test_jamo_become_syllables_and_only_cased_scripts_are_lowercased():
    jamo = hangul_from_jamo(30)
    assert all(0x1100 <= ord(c) <= 0x11FF or c == " " for c in jamo)
    text = normalize(jamo)
    assert text == unicodedata.normalize("NFC", jamo)
    assert all(0xAC00 <= ord(c) <= 0xD7A3 or c == " " for c in text)  # one syllable each
    assert normalize("ΣΟΦΙΑ Москва 대한민国 🙂👍🏽") == "σοφια москва 대한민国 🙂👍🏽"
    assert normalize("İstanbul") == unicodedata.normalize("NFC", "i̇stanbul")


def test_rare_characters_become_one_unknown_symbol_and_the_file_keeps_the_rule(tmp_path):
    text = "aaaa bbbb cccc " * 10 + "xyz"  # x, y, z seen once
    vocab = Vocabulary.from_text(text, min_count=2)
    assert vocab.unknown == UNKNOWN_SYMBOL and set(vocab.chars) == set("abc ") | {UNKNOWN_SYMBOL}
    assert vocab.decode(vocab.encode("ax", on_unknown="drop")) == "a" + UNKNOWN_SYMBOL
    vocab.save(tmp_path)
    saved = json.loads((tmp_path / "vocab.json").read_text(encoding="utf-8"))
    assert saved["min_count"] == 2 and "fewer than 2 times" in saved["rule"]
    assert Vocabulary.load(tmp_path) == vocab
    assert Vocabulary.from_text(text).unknown is None  # min_count 1: every character kept


def test_alphabet_limit_raises_the_count_until_it_fits():
    counts = {chr(0xAC00 + i): i + 1 for i in range(300)}  # 300 syllables, seen 1..300 times
    text = "".join(c * n for c, n in counts.items())
    vocab = Vocabulary.from_text(text, max_size=101)
    assert vocab.size <= 101 and vocab.unknown == UNKNOWN_SYMBOL
    assert all(counts[c] >= vocab.min_count for c in vocab.chars if c != UNKNOWN_SYMBOL)
    assert all(c in vocab for c, n in counts.items() if n >= vocab.min_count)


@pytest.mark.parametrize(
    "text",
    [
        normalize(hangul_from_jamo(4000)),
        "καλημέρα κόσμε, τι κάνεις; " * 200,
        "привет, мир! как дела? " * 200,
        "🙂 ok 👍🏽 fine 🎉 " * 300,
    ],
)
def test_embedding_recipes_take_any_script(text):
    vocab = alphabet_for(text, make_recipe("quick"))
    ids = vocab.encode(text, on_unknown="drop")
    assert vocab.decode(ids) == text  # every character kept at min_count 1
    assert vocab.size == len(set(text))


def test_seed_recipe_caps_its_alphabet_with_the_count():
    text = normalize(hangul_from_jamo(4000))
    distinct = len(set(text))
    with pytest.raises(AlphabetTooLargeError, match=f"{distinct:,} distinct.*at most 200"):
        alphabet_for(text, make_recipe("seed"))


@pytest.fixture(scope="module")
def korean_bytes() -> bytes:
    if not KOREAN.is_file():
        pytest.skip(f"{KOREAN} not present")
    return KOREAN.read_bytes()


def test_korean_constitution_is_refused_by_seed_with_the_count(isolated_runs, korean_bytes):
    from charlm.common.settings import load_settings
    from charlm.ui.train_panel import launch

    settings = load_settings()
    outcome, message = launch(
        settings, "seed", 1, 32, "upload", ("헌법.txt", korean_bytes), "", "en"
    )
    assert outcome == "refused"
    assert "380 distinct characters" in message.replace("\\", "")
    assert jobs.list_runs(isolated_runs) == []


def test_korean_upload_through_the_train_button_to_a_model_that_writes_hangul(
    isolated_runs, korean_bytes
):
    from charlm.common.settings import load_settings
    from charlm.ui.train_panel import launch

    upload = ("대한민국헌법.txt", korean_bytes)
    outcome, message = launch(load_settings(), "quick", 2, 32, "upload", upload, "헌법", "en")
    assert outcome == "ok", message
    run_dir = next(iter(jobs.list_runs(isolated_runs)))
    deadline = time.time() + 300
    while jobs.read_run(run_dir).status not in {"done", "failed"} and time.time() < deadline:
        time.sleep(1)
    state = jobs.read_run(run_dir)
    assert state.status == "done", state.log_tail()
    models = list_models(runs_dir=isolated_runs)
    name = f"runs/{run_dir.name}"
    assert name in models
    sampler, folder = load_sampler(models[name])
    assert sampler.vocab.size == 380  # CRLF is read as \n: no "\r" character (issue 19, item 9)
    generation = sampler.generate("대한민국은 ", 200, (0.8,), rng_seed=1)
    hangul = sum(0xAC00 <= ord(c) <= 0xD7A3 for c in generation.texts[0])
    assert hangul > 50
    curve = json.loads((run_dir / "curve.json").read_text(encoding="utf-8"))
    assert curve and np.isfinite(curve[-1]["val_loss"]) and curve[-1]["sample"]
