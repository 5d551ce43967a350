"""Snippets: a few words around the matches, as HTML where only the marks are markup.

The databases mark matches with control characters 1 and 2 (`START`, `STOP`), which the
index never holds (index.py), never with HTML: a snippet is user text, so every other
character is escaped here and only `<mark>` is added. Mentions ("@[member:12]") are named
as the reader may see them, through the presenter, like the post itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

START, STOP = "\x01", "\x02"
LT, GT = "\x03", "\x04"  # "<" and ">" as PostgreSQL's ts_headline is given them (engines.py)
# A mention whose parts the database marked, or that a snippet cut in two at either end.
_MARKED_MENTION = re.compile(r"@\[[\x01\x02]*member[\x01\x02]*:[\x01\x02]*(\d+)[\x01\x02]*\]")
_CUT_HEAD = re.compile(r"^(…?)\s*(?:@?\[?member)?:?\d+\]")
_CUT_TAIL = re.compile(r"@\[[^\]]*?(…?)$")


def is_marked(snippet: str) -> bool:
    return START in snippet


def to_html(snippet: str, *, name_mentions: Callable[[str], str] = lambda text: text) -> str:
    """The database's snippet, escaped, with each match in `<mark>`."""
    snippet = snippet.replace(LT, "<").replace(GT, ">")
    text = _MARKED_MENTION.sub(r"@[member:\1]", snippet)
    text = _CUT_TAIL.sub(r"\1", _CUT_HEAD.sub(r"\1", name_mentions(text)))
    text = " ".join(text.split())
    out, marked = [], False
    for piece in re.split("([\x01\x02])", text):
        if piece == START:
            marked = True
        elif piece == STOP:
            marked = False
        elif piece:
            out.append(f"<mark>{escape(piece)}</mark>" if marked else escape(piece))
    return "".join(out).replace("</mark><mark>", "")
