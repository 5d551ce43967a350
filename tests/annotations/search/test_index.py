"""The index follows every write, however it is made: the services, the admin's saves, raw
UPDATEs and deletes, a reading's new revision; `rebuild` makes it again from the tables."""

from django.db import connection

from annotations.models import Annotation
from annotations.search import index
from tests.annotations.search.conftest import found, found_ids


def entries():
    with connection.cursor() as cursor:
        key = "key" if connection.vendor == "postgresql" else "rowid"
        cursor.execute(f"SELECT {key} FROM {index.TABLE}")  # noqa: S608
        return {k for (k,) in cursor.fetchall()}


def test_a_raw_update_is_indexed(palimpsest, student2, seminar):
    Annotation.objects.filter(pk=palimpsest.pk).update(text="Now about a chiasmus.")
    assert found_ids(student2, seminar, "chiasmus") == {palimpsest.pk}
    assert found_ids(student2, seminar, "palimpsest") == set()


def test_a_save_of_every_field_is_indexed(palimpsest, student2, seminar):
    palimpsest.tags = ["zeugma"]
    palimpsest.save()  # as the admin saves: every column
    assert found_ids(student2, seminar, "zeugma") == {palimpsest.pk}


def test_deleting_removes_the_entry(palimpsest, blog_reading):
    assert palimpsest.pk in entries() and -blog_reading.pk in entries()
    Annotation.objects.filter(pk=palimpsest.pk).update(status="deleted")
    assert palimpsest.pk not in entries()
    Annotation.objects.filter(pk=palimpsest.pk).update(status="published")  # the admin undoes
    assert palimpsest.pk in entries()
    Annotation.objects.filter(pk=palimpsest.pk).delete()
    assert palimpsest.pk not in entries()


def test_a_reading_renamed_is_found_by_its_new_title(blog_reading, student2, seminar):
    from seminar.models import Reading

    Reading.objects.filter(pk=blog_reading.pk).update(title="Prosopopoeia in the Sahel")
    assert ("reading", blog_reading.pk) in found(student2, seminar, "prosopopoeia")


def test_rebuild_gives_the_same_entries(palimpsest, blog_reading, student2, seminar):
    before = entries()
    index.rebuild(connection)
    assert entries() == before
    assert found_ids(student2, seminar, "palimpsest") == {palimpsest.pk}


def test_install_is_idempotent(palimpsest, student2, seminar):
    index.install(connection)
    index.install(connection)
    Annotation.objects.filter(pk=palimpsest.pk).update(text="An aporia.")
    assert found_ids(student2, seminar, "aporia") == {palimpsest.pk}
