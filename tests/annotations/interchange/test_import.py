"""Importing Hypothesis and W3C annotation files onto a reading: where each passage lands,
the report, threads, and a wrong file importing nothing."""

import json

import pytest

from annotations.interchange.services import annotations_import
from annotations.models import Annotation
from seminar.errors import NotPermitted, ServiceError
from tests.annotations.interchange.files import (
    hypothesis_file,
    hypothesis_row,
    passages,
    selectors,
    w3c_file,
)
from tests.texts import AID, CHAIN, KILLED, PLEDGED, SWEET_SPOT


def run(reading, user, document, **kwargs):
    return annotations_import(
        reading=reading, actor=user, data=json.dumps(document).encode(), **kwargs
    )


def on(reading, text, exact):
    """The imported passage annotation quoting `exact`, and the words it is on."""
    annotation = Annotation.objects.get(reading=reading, original_quote=exact)
    return annotation, text[annotation.start : annotation.end]


def test_a_hypothesis_export_is_placed_and_reported(blog_reading, instructor, text):
    report = run(blog_reading, instructor, hypothesis_file(text))
    assert report.as_dict() | {"orphan_quotes": []} == {
        "placed_exactly": 2,
        "moved": 2,
        "orphaned": 1,
        "replies": 2,
        "page_comments": 1,
        "skipped": 2,
        "skipped_by_reason": {
            "highlights without a note": 1,
            "replies whose thread is not in the file": 1,
        },
        "orphan_quotes": [],
    }
    p = passages(text)
    exact, words = on(blog_reading, text, SWEET_SPOT)
    assert (words, exact.anchor_status, exact.kind) == (SWEET_SPOT, "anchored", "note")
    assert exact.author is None and exact.author_name == "reader1"
    assert exact.tags == ["timing"] and exact.created.year == 2024
    assert on(blog_reading, text, PLEDGED)[1] == PLEDGED  # shifted: its position was off
    edited, words = on(blog_reading, text, p["edited"]["exact"])
    assert (words, edited.anchor_status) == (CHAIN, "moved")
    assert on(blog_reading, text, p["whitespace"]["exact"])[1] == AID
    orphan = Annotation.objects.get(reading=blog_reading, anchor_status="orphaned")
    assert orphan.quote_exact == p["unplaceable"]["exact"]
    assert report.orphan_quotes == [orphan.quote_exact]


def test_hypothesis_replies_are_threaded_under_their_nearest_ancestor(
    blog_reading, instructor, text
):
    run(blog_reading, instructor, hypothesis_file(text))
    top = Annotation.objects.get(reading=blog_reading, text="Premature?")
    first = Annotation.objects.get(text="I agree.")
    second = Annotation.objects.get(text="So do I.")
    assert (first.parent, first.thread, first.kind) == (top, top, "reply")
    assert (second.parent, second.thread) == (first, top)
    assert (first.author_name, first.anchor_status) == ("maria", None)
    comment = Annotation.objects.get(text="A page note on the whole post.")
    assert (comment.kind, comment.start, comment.parent) == ("comment", None, None)


def test_a_w3c_collection_is_placed_and_reported(blog_reading, instructor, text):
    report = run(blog_reading, instructor, w3c_file(text), visibility="instructors")
    assert (report.placed_exactly, report.moved, report.orphaned) == (1, 2, 1)
    assert (report.replies, report.page_comments, report.skipped) == (2, 1, {})
    question = Annotation.objects.get(original_quote=PLEDGED)
    assert (question.kind, question.resolution, question.author_name) == ("question", "open", "Ana")
    reply = Annotation.objects.get(text="So do I.")
    assert reply.parent.text == "I agree." and reply.thread.text == "Premature?"
    imported = Annotation.objects.filter(created__year=2024)
    assert imported.count() == 7
    assert set(imported.values_list("visibility", flat=True)) == {"instructors"}


def test_words_changed_too_much_are_an_orphan_not_a_guess(blog_reading, instructor, text):
    changed = selectors(text, CHAIN, quote="scattered the rebels’ leadership into confusion")
    report = run(blog_reading, instructor, [hypothesis_row("x", text="Too changed", quote=changed)])
    assert (report.orphaned, report.moved, report.placed_exactly) == (1, 0, 0)


def test_a_short_quote_whose_context_is_gone_is_an_orphan(blog_reading, instructor, text):
    quote = selectors(text, "Chad")  # in the text many times, and this context is not
    quote.update(prefix="entirely other words before ", suffix=" and after them", start=None)
    report = run(blog_reading, instructor, [hypothesis_row("x", text="Which?", quote=quote)])
    assert report.orphaned == 1


def test_a_quote_in_a_sentence_an_edit_removed_is_an_orphan(blog_reading, instructor, text):
    from annotations.revisions.services import reading_revise_and_reanchor

    quote = selectors(text, KILLED)
    revision = blog_reading.current_revision
    sentence_start = text.rfind(". ", 0, text.index(KILLED)) + 2
    sentence_end = text.index(".", text.index(KILLED)) + 1
    source = revision.source.replace(text[sentence_start:sentence_end], "")
    reading_revise_and_reanchor(
        reading=blog_reading, editor=instructor, source=source, format=revision.format
    )
    blog_reading.refresh_from_db()
    report = run(blog_reading, instructor, [hypothesis_row("x", text="Killed?", quote=quote)])
    assert report.orphaned == 1


def test_a_bad_item_late_in_the_file_imports_nothing(blog_reading, instructor, text):
    document = hypothesis_file(text)
    document["rows"][8]["target"][0]["selector"][2]["exact"] = 42
    before = Annotation.objects.count()
    with pytest.raises(ServiceError, match=r"^Item 9: “exact” must be a string\.$"):
        run(blog_reading, instructor, document)
    assert Annotation.objects.count() == before


def test_a_text_too_long_is_named_by_its_item_and_imports_nothing(blog_reading, instructor, text):
    document = w3c_file(text)
    document["first"]["items"][6]["body"][0]["value"] = "x" * 10_001
    with pytest.raises(ServiceError, match="^Item 7: That is 10,001 characters"):
        run(blog_reading, instructor, document)
    assert not Annotation.objects.filter(created__year=2024).exists()


def test_only_instructors_import(blog_reading, ta, student, text):
    for user in (ta, student):
        with pytest.raises(NotPermitted):
            run(blog_reading, user, hypothesis_file(text))
    assert not Annotation.objects.filter(created__year=2024).exists()


def test_a_private_visibility_is_refused(blog_reading, instructor, text):
    with pytest.raises(ServiceError, match="use seminar or instructors"):
        run(blog_reading, instructor, hypothesis_file(text), visibility="private")
