"""The opening of a rendered body: what the import preview shows of the text.

A body's HTML is sanitized output of ``seminar.textblocks``: top-level blocks separated by
one newline, each well-formed. ``opening`` keeps the blocks up to and including the
``paragraphs``-th top-level paragraph (headings and lists before it come along), so the
preview shows the start of the reading exactly as the reading page will.
"""

from __future__ import annotations

from html.parser import HTMLParser

from seminar.textblocks import VOID

__all__ = ["opening"]


def opening(html: str, *, paragraphs: int = 3) -> str:
    cutter = _Cutter(paragraphs)
    cutter.feed(html)
    cutter.close()
    return html if cutter.end is None else html[: cutter.end]


class _Cutter(HTMLParser):
    def __init__(self, paragraphs: int):
        super().__init__(convert_charrefs=False)
        self.wanted = paragraphs
        self.depth = 0
        self.seen = 0
        self.end: int | None = None
        self._line_starts = [0]

    def feed(self, data: str) -> None:
        self._line_starts = [0, *(i + 1 for i, char in enumerate(data) if char == "\n")]
        self._source = data
        super().feed(data)

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in VOID or self.end is not None:
            return
        self.depth -= 1
        if self.depth == 0 and tag == "p":
            self.seen += 1
            if self.seen == self.wanted:
                line, column = self.getpos()
                start = self._line_starts[line - 1] + column
                self.end = self._source.index(">", start) + 1
