"""What an export holds: the options, tombstones, pseudonyms, a member's own posts."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.export.snapshot import Options, Scope
from seminar.pseudonyms import people


def texts(scope):
    return {row["id"]: row["text"] for row in scope.annotation_rows()}


def test_a_default_export_holds_what_peers_see(discussion):
    d = discussion
    rows = texts(Scope(d.seminar))
    for post in (d.critique, d.question, d.first, d.nested, d.staff_only):
        assert rows[post.pk] == post.text
    for post in (d.rude, d.under_rude, d.gone, d.waiting, d.private):
        assert post.pk not in rows
    assert rows[d.doomed.pk] == ""  # a tombstone: its reply keeps the thread's shape


def test_include_hidden_adds_the_evidence_but_never_private_notes(discussion):
    d = discussion
    rows = texts(Scope(d.seminar, Options(include_hidden=True)))
    for post in (d.rude, d.under_rude, d.gone, d.waiting, d.doomed):
        assert rows[post.pk] == post.text
    assert d.private.pk not in rows
    assert d.private.pk in texts(Scope(d.seminar, Options(include_private=True)))


def test_tombstones_lose_their_author_too(discussion):
    row = next(r for r in Scope(discussion.seminar).annotation_rows() if r["status"] == "deleted")
    assert row["author_id"] is None and row["tags"] == [] and row["html"] == ""


def test_pseudonyms_replace_students_not_staff(discussion, student, ta):
    d = discussion
    scope = Scope(d.seminar, Options(pseudonyms=True))
    _roles, pseudonyms = people(d.seminar)
    by_id = {row["id"]: scope.people.credit(row) for row in scope.annotation_rows()}
    assert by_id[d.critique.pk] == pseudonyms[student.pk] != "Lena Ortiz"
    ta_reply = next(r for r in scope.annotation_rows() if r["author_id"] == ta.pk)
    assert scope.people.credit(ta_reply) == "Jonas Weber"
    imported = next(r for r in scope.annotation_rows() if r["kind"] == "comment")
    assert scope.people.credit(imported) == "Reader 1"


def test_a_member_exports_only_their_own_posts_as_they_see_them(discussion, student):
    d = discussion
    scope = Scope(d.seminar, owner=student)
    rows = list(scope.annotation_rows(scored=True))
    assert {r["author_id"] for r in rows} == {student.pk}
    ids = {r["id"] for r in rows}
    assert {d.critique.pk, d.nested.pk, d.private.pk, d.under_rude.pk, d.doomed.pk} <= ids
    assert d.rude.pk not in ids
    critique = next(r for r in rows if r["id"] == d.critique.pk)
    assert critique["score__value"] == 3  # the reading's grades are released


def test_rows_cost_a_fixed_number_of_queries(discussion):
    scope = Scope(discussion.seminar, Options(include_hidden=True))
    scope.people, scope.readings  # noqa: B018 - loaded once per export
    with CaptureQueriesContext(connection) as queries:
        rows = list(scope.annotation_rows(scored=True))
    assert len(rows) > 10 and len(queries) <= 2


def test_raw_rows_are_the_rows_django_reads(discussion):
    """On PostgreSQL rows with text times are read a chunk ahead on a thread, with no
    converter: the same tuples Django's own iterator gives."""
    from annotations.export import snapshot

    scope = Scope(discussion.seminar, Options(include_hidden=True))
    queryset, names = scope._annotation_query(
        order="thread", scored=True, fields=snapshot.ARCHIVE_FIELDS, text_times=True
    )
    raw = list(snapshot.value_tuples(queryset, names, raw=True))
    assert raw == list(queryset.values_list(*names))
    assert len(raw) > 10


def test_a_reader_left_early_stops_the_prefetch(discussion, monkeypatch):
    from annotations.export import snapshot

    monkeypatch.setattr(snapshot, "CHUNK", 2)
    scope = Scope(discussion.seminar, Options(include_hidden=True))
    rows = scope.annotation_rows(text_times=True)
    next(rows)
    rows.close()  # the thread is joined and the cursor closed: the connection works on
    assert len(list(scope.annotation_rows(text_times=True))) > 10
