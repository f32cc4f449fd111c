"""Errors the page can say in its own language.

A library error carries a message key and its parameters; the page looks the key up in its
string tables (charlm/ui/locales) and fills it, while str() stays English for the command line
and the logs. Each subclass lists its English templates in ENGLISH, the same text as en.json.
"""

from __future__ import annotations


class KeyedError(Exception):
    """An error with a message `key` and `params`; str() is the English message."""

    ENGLISH: dict[str, str] = {}

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(self.ENGLISH[key].format(**params))
