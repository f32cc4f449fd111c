"""Characters <-> integer ids, the unknown-character policy, save and load."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from charlm import atomic

VOCAB_FILENAME = "vocab.json"


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


@dataclass(frozen=True)
class Vocabulary:
    chars: tuple[str, ...]  # sorted distinct characters: the notebook's `chars`

    def __post_init__(self):
        index = {c: i for i, c in enumerate(self.chars)}
        if len(index) != len(self.chars) or any(len(c) != 1 for c in self.chars):
            raise ValueError("vocabulary must be distinct single characters")
        object.__setattr__(self, "_index", index)

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        return cls(tuple(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.chars)

    def __contains__(self, char: str) -> bool:
        return char in self._index

    def unknown_in(self, text: str) -> list[str]:
        """Distinct characters of `text` outside the vocabulary, in sorted order."""
        return sorted(set(text) - self._index.keys())

    def clean(self, text: str) -> tuple[str, list[str]]:
        """(text without unknown characters, the distinct characters dropped)."""
        unknown = self.unknown_in(text)
        if not unknown:
            return text, []
        drop = set(unknown)
        return "".join(c for c in text if c not in drop), unknown

    def encode(self, text: str, on_unknown: str = "error") -> np.ndarray:
        """int32 ids of `text`; on_unknown is 'error' (default) or 'drop'."""
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
        atomic.write_json(path, {"chars": list(self.chars)})
        return path

    @classmethod
    def load(cls, folder: Path | str) -> Vocabulary:
        path = Path(folder) / VOCAB_FILENAME
        try:
            chars = json.loads(path.read_text(encoding="utf-8"))["chars"]
            return cls(tuple(chars))
        except FileNotFoundError as exc:
            raise FileNotFoundError(f"vocabulary file missing: {path}") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"vocabulary file {path} is not valid: {exc}") from exc
