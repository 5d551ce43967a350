"""The edits instructors make to real readings, over every file of the corpus
(`SEMINAR_CORPUS`): each annotation stays on its words, or is an orphan because they went.

The same edits on the project's own readings are in tests/annotations/test_revisions.py.
"""

import re

import pytest

from annotations.revisions.services import reading_revise_and_reanchor
from annotations.services import annotation_create
from seminar.plaintext import is_chrome
from tests.annotations.placements import annotate_everywhere, check
from tests.conftest import import_reading
from tests.texts import corpus_params

LONG = 200  # a line this long is a paragraph, never chrome


def revise(reading, editor, lines):
    reading_revise_and_reanchor(
        reading=reading, editor=editor, source="\n".join(lines), format="text"
    )


def squeeze(line):
    return " ".join(line.split())


@pytest.mark.parametrize("path", corpus_params())
def test_a_paragraph_swap(seminar, instructor, student, path):
    reading = import_reading(seminar, path.name, path=path)
    made = annotate_everywhere(reading, student, every=120, size=40)
    lines = reading.current_revision.source.split("\n")
    long = [i for i, line in enumerate(lines) if len(line) > LONG]
    assert len(long) >= 3, path.name
    first, second = long[1], long[2]
    lines[first], lines[second] = lines[second], lines[first]
    revise(reading, instructor, lines)
    counts = check(reading, made, removed=[])
    assert counts["orphaned"] == 0 and counts["moved"] >= 1


@pytest.mark.parametrize("path", corpus_params())
def test_a_deleted_paragraph(seminar, instructor, student, path):
    reading = import_reading(seminar, path.name, path=path)
    made = annotate_everywhere(reading, student, every=120, size=40)
    lines = reading.current_revision.source.split("\n")
    gone = [i for i, line in enumerate(lines) if len(line) > LONG][-1]
    removed = lines.pop(gone)
    revise(reading, instructor, lines)
    counts = check(reading, made, removed=[squeeze(removed)])
    assert counts["orphaned"] >= 1


@pytest.mark.parametrize("path", corpus_params())
def test_chrome_trimmed(seminar, instructor, student, path):
    # What an instructor cuts from a scraped page: everything above the first paragraph and
    # below the last, and navigation lines ("See also ...") between them.
    reading = import_reading(seminar, path.name, path=path)
    made = annotate_everywhere(reading, student)
    lines = reading.current_revision.source.split("\n")
    long = [i for i, line in enumerate(lines) if len(line) > LONG]
    kept, removed = [], []
    for i, line in enumerate(lines):
        cut = i < long[0] or i > long[-1] or is_chrome(line)
        (removed if cut else kept).append(line)
    revise(reading, instructor, kept)
    gone = [squeeze(line) for line in removed if line.strip(" \u00a0")]
    counts = check(reading, made, removed=gone)
    assert counts["anchored"] + counts["moved"] >= 1


@pytest.mark.parametrize("path", corpus_params())
def test_a_typo_fixed(seminar, instructor, student, path):
    # The file with one word misspelt, annotated, then the word fixed: passages on it follow
    # the correction, the rest stay where they were.
    reading = import_reading(seminar, path.name, path=path)
    source = reading.current_revision.source
    words = re.findall(r"\b[a-z]{8,}\b", source)
    word = next(w for w in words if source.count(w) == 1 and w[2] != w[3])
    typo = word[:2] + word[3] + word[2] + word[4:]
    assert typo not in source
    revise(reading, instructor, source.replace(word, typo).split("\n"))
    made = annotate_everywhere(reading, student, every=90, size=40)
    text = reading.current_revision.text
    at = text.index(typo)
    quote = {"exact": typo, "start": at, "end": at + len(typo)}
    made.append(
        annotation_create(reading=reading, author=student, kind="question", text="?", quote=quote)[
            0
        ]
    )
    revise(reading, instructor, source.split("\n"))
    counts = check(reading, made, removed=[], replacements=[(typo, word)])
    assert counts["orphaned"] == 0 and counts["moved"] >= 1
