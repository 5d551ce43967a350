"""Where annotations land after an edit: passages spread over a text, and the check that each
is on its (possibly corrected) words or an orphan because its words were removed.

Shared by the re-anchoring tests on the project's readings and the corpus suite.
"""

import re

from annotations.services import annotation_create


def annotate_everywhere(reading, author, *, every=180, size=45):
    """Passages spread over the whole text, cut at word boundaries, plus every chrome line."""
    text = reading.current_revision.text
    spans = []
    for at in range(0, len(text) - size, every):
        start = text.find(" ", at) + 1
        end = text.rfind(" ", start, start + size)
        if 0 < start < end and "\n" not in text[start:end]:
            spans.append((start, end))
    for line in re.finditer(
        r"^(Skip to content|See also.*|Member Sign In|PDF Print E-mail)$", text, re.M
    ):
        spans.append(line.span())
    made = []
    for i, (start, end) in enumerate(spans):
        annotation, _ = annotation_create(
            reading=reading,
            author=author,
            kind="critique",
            text=f"Critique {i}",
            quote={"exact": text[start:end], "start": start, "end": end},
        )
        made.append(annotation)
    return made


def check(reading, annotations, *, removed, replacements=()):
    """Every annotation is on its (possibly corrected) words, or an orphan if they were removed."""
    new_text = reading.current_revision.text
    counts = {"anchored": 0, "moved": 0, "orphaned": 0}
    for annotation in annotations:
        quote = annotation.quote_exact
        annotation.refresh_from_db()
        counts[annotation.anchor_status] += 1
        if any(part in quote or quote in part for part in removed):
            assert annotation.anchor_status == "orphaned", quote
            continue
        expected = quote
        for old, new in replacements:
            expected = expected.replace(old, new)
        assert annotation.anchor_status in {"anchored", "moved"}, quote
        assert annotation.anchored_revision_id == reading.current_revision_id
        assert new_text[annotation.start : annotation.end] == expected, (quote, expected)
    return counts
