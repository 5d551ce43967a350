"""The archive's outline: threads in the order of the text, loaded a batch at a time."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.export import htmlfile, markdown, threads
from annotations.export.snapshot import Scope
from annotations.export.threads import Outline


def test_the_outline_orders_passages_comments_and_replies(discussion):
    d = discussion
    scope = Scope(d.seminar, reading=d.reading)
    outline = Outline(scope, current_number=d.reading.current_revision.number)
    starts = [d.reading.annotations.get(pk=pk).start for pk in outline.passages]
    assert starts == sorted(starts)
    assert outline.orphans == [d.question.pk]
    assert [outline.numbers[pk] for pk in outline.comments] == [1, 2, 3]
    assert outline.children[d.critique.pk][0] == d.first.pk
    assert outline.children[d.first.pk] == [d.nested.pk]
    assert outline.loose == [] and d.rude.pk not in outline.children
    (critique,) = outline.threads([d.critique.pk])
    assert critique.replies[0].replies[0].row["text"] == d.nested.text


def test_a_members_replies_to_others_stand_alone(discussion, student):
    d = discussion
    scope = Scope(d.seminar, reading=d.reading, owner=student)
    outline = Outline(scope, current_number=d.reading.current_revision.number)
    assert d.nested.pk in outline.loose  # it answers a post of someone else


def test_batches_change_nothing_but_the_number_of_queries(discussion, monkeypatch):
    d = discussion
    scope = Scope(d.seminar, reading=d.reading)
    when = d.reading.created
    whole = (htmlfile.render(scope, exported=when), markdown.render(scope, exported=when))
    monkeypatch.setattr(threads, "BATCH_POSTS", 1)
    with CaptureQueriesContext(connection) as queries:
        small = (htmlfile.render(scope, exported=when), markdown.render(scope, exported=when))
    assert small == whole
    assert len(queries) > 20  # a query per thread now; a few for the whole page by default
