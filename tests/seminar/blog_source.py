"""The class-blog fixture's works cited and reader comments, read straight from the file.

Tests compare what the importer made with these, so this never calls the importer: a few
lines of string handling over the file. The post indents with no-break spaces and wraps one
works-cited entry onto an indented line; whitespace runs count as one space.
No Django here (tests/seminar/test_textformats.py runs without it).
"""

import re

from tests.texts import BLOG, reading_text


def _squeeze(text):
    return " ".join(text.split())


def _text():
    return reading_text(BLOG)


def blog_works_cited():
    """Each entry under "Works Cited", up to the first blank line; indented lines continue."""
    block = _text().split("\nWorks Cited\n", 1)[1].split("\n\n", 1)[0]
    entries = []
    for line in block.splitlines():
        if line[:1].isspace():
            entries[-1] += " " + line
        else:
            entries.append(line)
    return [_squeeze(entry) for entry in entries]


def blog_comments():
    """The trailing "  1. ...", "  2. ..." blocks: each one's full text, in order."""
    tail = _text().split("\n  1. ", 1)[1]
    blocks = re.split(r"\n\s*\n", "  1. " + tail.strip("\n"))
    found = [re.fullmatch(r"\s*(\d+)\. (.*)", block, re.S) for block in blocks]
    assert all(found) and [int(m.group(1)) for m in found] == list(range(1, len(found) + 1))
    return [_squeeze(m.group(2)) for m in found]
