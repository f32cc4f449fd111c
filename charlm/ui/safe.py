"""Make any string safe for the renderer it goes to: Markdown (st.markdown, st.warning, …),
inline code, or HTML. Whatever a user or a file supplies passes through one of these."""

from __future__ import annotations

import html
import re

# CommonMark lets a backslash escape every ASCII punctuation character.
_MARKDOWN_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


# GitHub-flavoured Markdown turns bare addresses into links after escapes are read
# (http://…, www.…, name@host.tld), so a backslash cannot stop them; an invisible word joiner
# inside each pattern does (seen in Chromium: an escaped address still became a link).
_WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=[a-z]):(?=//)|(?<=www)(?=\.)|@")


def markdown(value: object) -> str:
    """Literal text inside Markdown: no link (bare addresses included), image, emphasis, HTML
    or math survives, and line breaks become spaces so a value can never start a new block."""
    text = " ".join(str(value).splitlines())
    text = _AUTOLINK.sub(lambda m: m.group(0) + _WORD_JOINER, text)
    return "".join("\\" + c if c in _MARKDOWN_PUNCTUATION else c for c in text)


def code(value: str) -> str:
    """Inline code cannot hold backticks, pipes or newlines; show them as visible symbols."""
    return value.replace("`", "ˋ").replace("\n", "↵").replace("|", "¦")


def html_text(value: str) -> str:
    """HTML-escaped, with line breaks as character references so that a blank line can never
    end a Markdown HTML block."""
    return html.escape(value, quote=True).replace("\r", "&#13;").replace("\n", "&#10;")
