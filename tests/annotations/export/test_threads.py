"""The archive's outline: threads in the order of the text, loaded a batch at a time."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.export import htmlfile, markdown, threads
from annotations.export.snapshot import Scope
from annotations.export.threads import Outline


def ids(posts):
    return [post.row["id"] for post in posts]


def test_the_outline_orders_passages_comments_and_replies(discussion):
    d = discussion
    scope = Scope(d.seminar, reading=d.reading)
    outline = Outline(scope, current_number=d.reading.current_revision.number)
    passages = list(outline.threads("passages"))
    starts = [post.row["start"] for post in passages]
    assert starts == sorted(starts)
    assert [post.number for post in passages] == list(range(1, len(passages) + 1))
    assert ids(outline.threads("orphans")) == [d.question.pk]
    comments = list(outline.threads("comments"))
    assert [post.number for post in comments] == [1, 2, 3]
    assert ids(outline.threads("loose")) == [] and d.rude.pk not in ids(passages)
    (critique,) = [post for post in passages if post.row["id"] == d.critique.pk]
    assert critique.replies[0].row["id"] == d.first.pk
    assert critique.replies[0].replies[0].row["text"] == d.nested.text
    counts = {name: len(list(outline.threads(name))) for name in threads.SECTIONS}
    assert outline.counts == counts


def test_highlights_come_by_start_with_the_passages_numbers(discussion):
    d = discussion
    outline = Outline(Scope(d.seminar, reading=d.reading), current_number=3)
    highlights = list(outline.highlights())
    numbers = {post.row["id"]: post.number for post in outline.threads("passages")}
    assert [h[:2] for h in highlights] == sorted(h[:2] for h in highlights)
    assert {pk: number for _s, _e, number, _k, pk in highlights} == numbers


def test_a_members_replies_to_others_stand_alone(discussion, student):
    d = discussion
    scope = Scope(d.seminar, reading=d.reading, owner=student)
    outline = Outline(scope, current_number=d.reading.current_revision.number)
    assert d.nested.pk in ids(outline.threads("loose"))  # it answers a post of someone else
    assert outline.counts["loose"] == len(list(outline.threads("loose")))


def test_batches_change_nothing_but_the_number_of_queries(discussion, monkeypatch):
    d = discussion
    scope = Scope(d.seminar, reading=d.reading)
    when = d.reading.created
    whole = (htmlfile.render(scope, exported=when), markdown.render(scope, exported=when))
    monkeypatch.setattr(threads, "ROOTS_PER_BATCH", 1)
    with CaptureQueriesContext(connection) as queries:
        small = (htmlfile.render(scope, exported=when), markdown.render(scope, exported=when))
    assert small == whole
    assert len(queries) > 20  # a query per thread now; a few for the whole page by default
