import pytest

from charlm.text import corpus
from charlm.text.corpus import CorpusError, load_corpus, open_corpus, split_point, split_text


def test_local_file_is_read_and_lowercased(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("Hello World\n", encoding="utf-8")
    assert load_corpus(path) == "hello world\n"
    loaded = open_corpus(path)
    assert loaded.text == "hello world\n" and loaded.source == str(path)
    assert loaded.sha256 == corpus.sha256_of(path)


def test_bom_is_accepted_and_binary_is_refused(tmp_path):
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffAbc".encode())
    assert load_corpus(bom) == "abc"
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(CorpusError, match="binary"):
        load_corpus(binary)


def test_empty_file_is_refused(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(CorpusError, match="empty"):
        load_corpus(empty)


def test_hash_mismatch_names_both_hashes_and_the_fix(tmp_path, monkeypatch):
    impostor = tmp_path / "nietzsche.txt"
    impostor.write_text("not the book")
    monkeypatch.setenv("CHARLM_CORPUS", str(impostor))
    with pytest.raises(CorpusError) as info:
        load_corpus()
    message = str(info.value)
    assert corpus.NIETZSCHE_SHA256 in message and "CHARLM_CORPUS" in message


def test_offline_without_copy_gives_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("CHARLM_CORPUS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(CorpusError, match="No local copy"):
        load_corpus(download=False)

    import keras.utils

    def offline(*args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    with pytest.raises(CorpusError, match="Could not download.*CHARLM_CORPUS"):
        load_corpus()


def test_cached_copy_in_keras_home_is_used_without_download(tmp_path, monkeypatch, nietzsche_path):
    monkeypatch.delenv("CHARLM_CORPUS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    cached = corpus.keras_cache_path()
    cached.parent.mkdir(parents=True)
    cached.write_bytes(nietzsche_path.read_bytes())
    assert corpus.find_nietzsche(download=False) == cached


def test_nietzsche_facts(nietzsche_path):
    text = load_corpus()
    assert len(text) == 600_893
    assert len(set(text)) == 57
    train, val = split_text(text)
    assert train + val == text
    assert len(val) == len(text) - split_point(len(text)) == 60_089


def test_split_is_last_tenth_contiguous():
    text = "".join(chr(97 + i % 26) for i in range(1000))
    train, val = split_text(text)
    assert len(val) == 100 and text.endswith(val) and text.startswith(train)


def test_random_passage_is_reproducible():
    text = "word " * 1000
    assert corpus.random_passage(text, 50, 3) == corpus.random_passage(text, 50, 3)
    assert len(corpus.random_passage(text, 50, 3)) == 50


@pytest.mark.parametrize("raw", ["one\r\ntwo\r\n", "one\rtwo\r", "one\ntwo\n", "one\r\ntwo\r"])
def test_every_editors_line_breaks_read_as_one_newline(tmp_path, raw):
    """CRLF (Windows) and CR (old Mac) become \\n in the corpus, an upload and the seed box."""
    from charlm.text.corpus import decode_text, normalize, open_corpus

    path = tmp_path / "lines.txt"
    path.write_bytes(raw.encode("utf-8"))
    assert open_corpus(path).text == "one\ntwo\n"
    assert decode_text(raw.encode("utf-8"), "lines.txt") == "one\ntwo\n"
    assert normalize(raw.replace("one", "One")) == "one\ntwo\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_decoded(encoding):
    from charlm.text.corpus import decode_text

    text = "Notepad 유니코드\r\nline two"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert decode_text(data, "n.txt") == "Notepad 유니코드\nline two"


def test_utf16_without_a_mark_and_binary_say_what_they_are():
    from charlm.text.corpus import TextEncodingError, decode_text

    with pytest.raises(TextEncodingError, match="UTF-16 .* without a byte order mark.*UTF-8"):
        decode_text("plain words ".encode("utf-16-le") * 100, "w.txt")
    with pytest.raises(TextEncodingError, match="binary") as caught:
        decode_text(b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, "p.txt")
    assert caught.value.key == "text_binary" and caught.value.params == {"filename": "p.txt"}
