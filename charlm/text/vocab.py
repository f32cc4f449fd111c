"""Characters <-> integer ids, the unknown-character policy, save and load.

A large alphabet (Korean prose has thousands of syllables) can keep only characters seen at
least `min_count` times; the rest are read as one unknown symbol, and vocab.json keeps the rule.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from charlm.common import atomic

VOCAB_FILENAME = "vocab.json"
UNKNOWN_SYMBOL = "\ufffd"  # the Unicode replacement character, shown as �
# vocab.json is read from untrusted folders; real ones are a few kB.
MAX_VOCAB_BYTES = 4 * 1024 * 1024


class UnknownCharactersError(ValueError):
    """Text holds characters the vocabulary does not know."""

    def __init__(self, unknown: list[str]):
        self.unknown = unknown
        shown = ", ".join(repr(c) for c in unknown[:20])
        more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        super().__init__(
            f"{len(unknown)} character(s) not in the vocabulary: {shown}{more}. "
            "Remove them, or encode with on_unknown='drop'."
        )


class AlphabetTooLargeError(ValueError):
    """The text has more distinct characters than the recipe can take."""


@dataclass(frozen=True)
class Vocabulary:
    chars: tuple[str, ...]  # sorted distinct characters: the notebook's `chars`
    unknown: str | None = None  # the symbol rare characters are read as (one of `chars`)
    min_count: int = 1  # characters seen fewer times in the corpus are read as `unknown`

    def __post_init__(self):
        index = {c: i for i, c in enumerate(self.chars)}
        if len(index) != len(self.chars) or any(len(c) != 1 for c in self.chars):
            raise ValueError("vocabulary must be distinct single characters")
        if self.unknown is not None and self.unknown not in index:
            raise ValueError("the unknown symbol must be one of the characters")
        object.__setattr__(self, "_index", index)

    @classmethod
    def from_text(cls, text: str, min_count: int = 1, max_size: int | None = None) -> Vocabulary:
        """The text's alphabet. Characters seen fewer than `min_count` times are read as one
        unknown symbol; when more than `max_size` would remain, `min_count` rises until the
        alphabet (unknown symbol included) fits."""
        counts = Counter(text)
        kept = {c for c, n in counts.items() if n >= min_count}
        if max_size is not None and len(kept) > max_size:
            by_count = sorted(counts.values(), reverse=True)
            min_count = by_count[max_size - 1] + 1  # the (max_size)th most frequent is cut
            kept = {c for c, n in counts.items() if n >= min_count}
        if len(kept) == len(counts):
            return cls(tuple(sorted(kept)))
        kept.add(UNKNOWN_SYMBOL)
        return cls(tuple(sorted(kept)), UNKNOWN_SYMBOL, min_count)

    @property
    def size(self) -> int:
        return len(self.chars)

    def __contains__(self, char: str) -> bool:
        return char in self._index

    def unknown_in(self, text: str) -> list[str]:
        """Distinct characters of `text` outside the vocabulary, in sorted order."""
        return sorted(set(text) - self._index.keys())

    def clean(self, text: str) -> tuple[str, list[str]]:
        """(text the model can read, the distinct characters it could not): those are read as
        the unknown symbol when the vocabulary has one, else left out."""
        unknown = self.unknown_in(text)
        if not unknown:
            return text, []
        drop = set(unknown)
        if self.unknown is not None:
            return "".join(self.unknown if c in drop else c for c in text), unknown
        return "".join(c for c in text if c not in drop), unknown

    def encode(self, text: str, on_unknown: str = "error") -> np.ndarray:
        """int32 ids of `text`; on_unknown is 'error' (default) or 'drop' (which reads them as
        the unknown symbol when the vocabulary has one)."""
        if on_unknown not in ("error", "drop"):
            raise ValueError(f"on_unknown must be 'error' or 'drop' (got {on_unknown!r})")
        unknown = self.unknown_in(text)
        if unknown and on_unknown == "error":
            raise UnknownCharactersError(unknown)
        if unknown:
            text, _ = self.clean(text)
        lookup = self._index
        return np.fromiter((lookup[c] for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids) -> str:
        chars = self.chars
        return "".join(chars[int(i)] for i in ids)

    def save(self, folder: Path | str) -> Path:
        path = Path(folder) / VOCAB_FILENAME
        payload = {"chars": list(self.chars)}
        if self.unknown is not None:
            payload.update(
                unknown=self.unknown,
                min_count=self.min_count,
                rule=f"characters seen fewer than {self.min_count} times in the corpus are "
                f"read as {self.unknown}",
            )
        atomic.write_json(path, payload)
        return path

    @classmethod
    def load(cls, folder: Path | str) -> Vocabulary:
        path = Path(folder) / VOCAB_FILENAME
        try:
            if path.stat().st_size > MAX_VOCAB_BYTES:
                raise ValueError(f"larger than {MAX_VOCAB_BYTES >> 20} MB")
            payload = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                tuple(payload["chars"]), payload.get("unknown"), int(payload.get("min_count", 1))
            )
        except FileNotFoundError as exc:
            raise FileNotFoundError(f"vocabulary file missing: {path}") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"vocabulary file {path} is not valid: {exc}") from exc
