"""Finding, downloading (hash-checked), reading and splitting the training text."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from charlm.common.messages import KeyedError
from charlm.common.settings import load_settings

NIETZSCHE_URL = "https://s3.amazonaws.com/text-datasets/nietzsche.txt"
NIETZSCHE_SHA256 = "9cb94a5f1f8d1359e2e018fa67306eba4ae03942b8c44643eececded39e096df"
NIETZSCHE_FILENAME = "nietzsche.txt"
VALIDATION_FRACTION = 0.1


class CorpusError(RuntimeError):
    """The corpus cannot be found, downloaded or verified."""


class TextEncodingError(KeyedError, ValueError):
    """Bytes that are not text this program can read; the message says what they are."""

    ENGLISH = {
        "text_binary": "{filename} looks binary (it contains NUL bytes); upload plain text.",
        "text_utf16_no_bom": (
            "{filename} looks like UTF-16 text without a byte order mark. Save it as UTF-8 "
            "(Notepad: File > Save as, Encoding: UTF-8)."
        ),
        "text_not_utf8": (
            "{filename} is not UTF-8 text (invalid byte at position {position}). Save it as "
            "UTF-8 (Notepad: File > Save as, Encoding: UTF-8)."
        ),
    }


# Byte order marks, longest first: UTF-32's little-endian mark begins with UTF-16's.
BYTE_ORDER_MARKS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def unify_newlines(text: str) -> str:
    """CRLF (Windows) and a lone CR (old Mac) become \\n, so a line break is one character."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_utf16(sample: bytes) -> bool:
    """Latin text in UTF-16: every other byte is NUL, the bytes between are not."""
    even, odd = sample[::2], sample[1::2]
    zero_share = [part.count(0) / max(len(part), 1) for part in (even, odd)]
    return max(zero_share) > 0.9 and min(zero_share) < 0.1


def decode_text(data: bytes, filename: str) -> str:
    """Text from any editor: UTF-8 (a BOM is fine), or UTF-16/UTF-32 with a byte order mark
    (Windows Notepad's "Unicode"), with unified line breaks. TextEncodingError otherwise."""
    encoding = next((enc for mark, enc in BYTE_ORDER_MARKS if data.startswith(mark)), None)
    if encoding is None and b"\x00" in data:
        if _looks_like_utf16(data[:4096]):
            raise TextEncodingError("text_utf16_no_bom", filename=filename)
        raise TextEncodingError("text_binary", filename=filename)
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as exc:
        raise TextEncodingError("text_not_utf8", filename=filename, position=exc.start) from None
    if "\x00" in text:
        raise TextEncodingError("text_binary", filename=filename)
    return unify_newlines(text.removeprefix("\ufeff"))


@dataclass(frozen=True)
class Corpus:
    text: str  # normalized: NFC, lowercased
    sha256: str  # of the raw file bytes
    source: str  # path or URL it came from

    @property
    def name(self) -> str:
        return Path(self.source).stem


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def keras_cache_path() -> Path:
    """Where keras.utils.get_file keeps the download (KERAS_HOME respected)."""
    import os

    home = os.environ.get("KERAS_HOME", str(Path.home() / ".keras"))
    return Path(home) / "datasets" / NIETZSCHE_FILENAME


def _how_to_supply() -> str:
    return (
        f"Download {NIETZSCHE_URL} (sha256 {NIETZSCHE_SHA256}) and either set "
        f"CHARLM_CORPUS=/path/to/nietzsche.txt, pass --corpus PATH, or place it at "
        f"{keras_cache_path()}."
    )


def _verified(path: Path) -> Path:
    actual = sha256_of(path)
    if actual != NIETZSCHE_SHA256:
        raise CorpusError(
            f"{path} is not the Nietzsche corpus: sha256 {actual} != {NIETZSCHE_SHA256}. "
            + _how_to_supply()
        )
    return path


def find_nietzsche(download: bool = True) -> Path:
    """Path of a verified copy of the Nietzsche text, downloading it if allowed.

    CHARLM_CORPUS wins; then the Keras cache. A cached, verified copy needs no TensorFlow,
    so the app can offer corpus passages without importing it.
    """
    configured = load_settings().corpus_path
    if configured is not None:
        if not configured.is_file():
            raise CorpusError(f"CHARLM_CORPUS points to {configured}, which is not a file.")
        return _verified(configured)
    cached = keras_cache_path()
    if cached.is_file() and sha256_of(cached) == NIETZSCHE_SHA256:
        return cached
    if not download:
        raise CorpusError("No local copy of the Nietzsche corpus. " + _how_to_supply())
    try:
        from keras.utils import get_file

        fetched = get_file(NIETZSCHE_FILENAME, origin=NIETZSCHE_URL, file_hash=NIETZSCHE_SHA256)
    except Exception as exc:  # offline, refused, or hash mismatch after download
        raise CorpusError(
            f"Could not download the Nietzsche corpus ({exc}). " + _how_to_supply()
        ) from exc
    return _verified(Path(fetched))


def read_text_file(path: Path) -> str:
    """A user text file (see decode_text) with a clear error otherwise."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"Corpus file {path} does not exist.")
    try:
        return decode_text(path.read_bytes(), str(path))
    except TextEncodingError as exc:
        raise CorpusError(str(exc)) from exc


def normalize(text: str) -> str:
    """Line breaks unified (CR and CRLF -> \\n), NFC (so a Hangul syllable typed as jamo is
    one character), then lowercase: str.lower changes only scripts with case (Latin, Greek,
    Cyrillic, ...), never Hangul or CJK. NFC again after, because lowercasing can decompose a
    character (İ -> i + combining dot)."""
    text = unify_newlines(text)
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).lower())


def open_corpus(path: Path | str | None = None, download: bool = True) -> Corpus:
    """The lowercased corpus with its hash and source: `path` if given, else Nietzsche."""
    if path is None or str(path) == "nietzsche":
        source = find_nietzsche(download=download)
    else:
        source = Path(path)
    raw = read_text_file(source)
    if not raw.strip():
        raise CorpusError(f"Corpus file {source} is empty.")
    return Corpus(text=normalize(raw), sha256=sha256_of(source), source=str(source))


def load_corpus(path: Path | str | None = None, download: bool = True) -> str:
    """The lowercased text: `path` if given (any UTF-8 text file), else the Nietzsche corpus."""
    return open_corpus(path, download).text


def split_point(length: int) -> int:
    """Index where validation starts: the last 10% of the text, contiguous."""
    return length - int(length * VALIDATION_FRACTION)


def split_text(text: str) -> tuple[str, str]:
    """(training, validation) parts of the lowercased text."""
    cut = split_point(len(text))
    return text[:cut], text[cut:]


# The preface's opening line: the page's first seed text, and the seed when no corpus is here.
FALLBACK_SEED = (
    "supposing that truth is a woman--what then? is there not ground for suspecting "
    "that all philosophers, in so far as they have been dogmatists, have failed"
)


def random_passage(text: str, length: int, rng_seed: int | None = None) -> str:
    """A passage of `length` characters starting at a word boundary."""
    import random

    rng = random.Random(rng_seed)
    if len(text) <= length:
        return text
    start = rng.randrange(0, len(text) - length)
    space = text.find(" ", start, start + 40)
    start = space + 1 if space != -1 and space + 1 + length <= len(text) else start
    return text[start : start + length]
