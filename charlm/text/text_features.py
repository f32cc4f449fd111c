"""Simple facts about each position of a text, the things LSTM cells are known to track.

Each feature describes the state *after reading* the character at that position, the same
moment a cell's activation is read, so a cell that tracks it can correlate perfectly.
"""

from __future__ import annotations

import numpy as np

FEATURES = (
    "in_quotes",
    "in_parentheses",
    "line_position",
    "since_space",
    "sentence_start",
    "vowel",
    "newline_soon",
)
QUOTES = {'"', "“", "”", "«", "»", "「", "」", "『", "』"}
OPENING_QUOTES = {"“", "«", "「", "『"}
CLOSING_QUOTES = {"”", "»", "」", "』"}
SENTENCE_ENDS = {".", "!", "?", "。", "！", "？"}
VOWELS = set("aeiouyàáâäèéêëìíîïòóôöùúûüαεηιουωаеёиоуыэюя")
NEWLINE_AHEAD = 3  # "newline soon": a line break within the next 3 characters


def in_quotes(text: str) -> np.ndarray:
    """1 from an opening quote up to (not including) its closing quote. A straight quote
    toggles; curly and CJK quotes open and close explicitly."""
    out = np.zeros(len(text), np.float64)
    inside = False
    for i, char in enumerate(text):
        if char == '"':
            inside = not inside
        elif char in OPENING_QUOTES:
            inside = True
        elif char in CLOSING_QUOTES:
            inside = False
        out[i] = inside
    return out


def in_parentheses(text: str) -> np.ndarray:
    """1 while at least one bracket ( [ { is open (a closing one never goes below zero)."""
    out = np.zeros(len(text), np.float64)
    depth = 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        out[i] = depth > 0
    return out


def since(text: str, marks: set[str]) -> np.ndarray:
    """Characters read since the last of `marks` (0 on the mark itself)."""
    out = np.zeros(len(text), np.float64)
    count = 0
    for i, char in enumerate(text):
        count = 0 if char in marks else count + 1
        out[i] = count
    return out


def sentence_start(text: str) -> np.ndarray:
    """1 from a sentence's final . ! ? until the next sentence's first letter or digit: the
    stretch where a capital (here, a new sentence's first word) is coming."""
    out = np.zeros(len(text), np.float64)
    waiting = False
    for i, char in enumerate(text):
        if char in SENTENCE_ENDS:
            waiting = True
        elif char.isalnum():
            waiting = False
        out[i] = waiting
    return out


def vowel(text: str) -> np.ndarray:
    """1 on vowels (Latin, Greek, Cyrillic), 0 elsewhere."""
    return np.fromiter((c.lower() in VOWELS for c in text), np.float64, count=len(text))


def newline_soon(text: str, ahead: int = NEWLINE_AHEAD) -> np.ndarray:
    """1 where a line break comes within the next `ahead` characters."""
    is_newline = np.fromiter((c == "\n" for c in text), np.float64, count=len(text))
    out = np.zeros(len(text), np.float64)
    for shift in range(1, ahead + 1):
        out[:-shift] = np.maximum(out[:-shift], is_newline[shift:])
    return out


def feature_matrix(text: str) -> tuple[tuple[str, ...], np.ndarray]:
    """(feature names, (N, features) float64 matrix) for every position of `text`."""
    columns = {
        "in_quotes": in_quotes(text),
        "in_parentheses": in_parentheses(text),
        "line_position": since(text, {"\n"}),
        "since_space": since(text, {" ", "\n"}),
        "sentence_start": sentence_start(text),
        "vowel": vowel(text),
        "newline_soon": newline_soon(text),
    }
    return FEATURES, np.stack([columns[name] for name in FEATURES], axis=1)
