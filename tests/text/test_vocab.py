import numpy as np
import pytest

from charlm.text.vocab import UnknownCharactersError, Vocabulary


def test_sorted_distinct_chars_round_trip():
    vocab = Vocabulary.from_text("hello world")
    assert vocab.chars == tuple(sorted(set("hello world")))
    ids = vocab.encode("hello")
    assert ids.dtype == np.int32
    assert vocab.decode(ids) == "hello"


def test_unknown_characters_are_named():
    vocab = Vocabulary.from_text("abc ")
    with pytest.raises(UnknownCharactersError) as info:
        vocab.encode("a cat! 😀")
    assert info.value.unknown == sorted({"t", "!", "😀"})
    assert "'!'" in str(info.value) and "drop" in str(info.value)


def test_drop_policy_removes_and_reports():
    vocab = Vocabulary.from_text("abc ")
    assert vocab.decode(vocab.encode("a cat!", on_unknown="drop")) == "a ca"
    assert vocab.clean("a cat!") == ("a ca", ["!", "t"])
    with pytest.raises(ValueError, match="on_unknown"):
        vocab.encode("a", on_unknown="ignore")


def test_save_load_and_corrupt_file(tmp_path):
    vocab = Vocabulary.from_text("xyz\n")
    vocab.save(tmp_path)
    assert Vocabulary.load(tmp_path) == vocab
    (tmp_path / "vocab.json").write_text("{not json")
    with pytest.raises(ValueError, match="vocab.json"):
        Vocabulary.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="vocab.json"):
        Vocabulary.load(tmp_path / "nowhere")
