"""The moderation log is evidence: who acted stays on the row, and nothing in the app, its
admin, its API or (on PostgreSQL) raw SQL can change or delete a row once written."""

import importlib

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import ProtectedError
from django.urls import reverse

from annotations.models import Annotation, ModerationEvent, Notification
from annotations.moderation.services import annotation_moderate, flag_create
from annotations.services import (
    annotation_create,
    annotation_delete,
    annotation_update,
    reply_create,
)
from seminar.errors import Conflict
from tests.apicalls import api

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the audit trigger is PostgreSQL's"
)


@pytest.fixture
def event(critique, instructor):
    annotation_moderate(annotation=critique, moderator=instructor, action="hide", reason="Rude")
    return ModerationEvent.objects.get()


def snapshot():
    return list(ModerationEvent.objects.order_by("pk").values())


def test_the_row_keeps_who_acted_as_they_were_named_then(client, instructor, event):
    assert (event.moderator_name, event.moderator_username) == ("Dr. Okafor", "okafor")
    instructor.display_name = "Prof. Renamed"
    instructor.save()
    client.force_login(instructor)
    page = client.get(reverse("moderation_audit", args=[event.seminar.slug])).text
    assert "Dr. Okafor" in page and "Prof. Renamed" not in page.split("<tbody>")[1]


def test_a_moderators_account_is_deactivated_not_deleted(client, instructor, event):
    before = snapshot()
    with pytest.raises(ProtectedError):
        instructor.delete()
    assert snapshot() == before
    instructor.is_active = False
    instructor.save()
    assert ModerationEvent.objects.get().moderator == instructor


def test_deleting_a_seminar_or_reading_keeps_the_log(event, seminar, blog_reading):
    before = snapshot()
    with pytest.raises(ProtectedError) as seminar_delete:
        seminar.delete()
    assert any(isinstance(o, ModerationEvent) for o in seminar_delete.value.protected_objects)
    with pytest.raises(ProtectedError):
        blog_reading.delete()
    assert snapshot() == before
    assert Annotation.objects.filter(reading=blog_reading).exists()


def test_dismissing_flags_leaves_one_row(instructor, student2, critique):
    flag_create(annotation=critique, user=student2, reason="off_topic")
    annotation_moderate(annotation=critique, moderator=instructor, action="dismiss")
    event = ModerationEvent.objects.get()
    assert (event.action, event.from_status, event.to_status) == ("dismiss", *["published"] * 2)
    assert not critique.flags.filter(dismissed__isnull=True).exists()
    # Dismissing is no news to the author.
    assert not Notification.objects.filter(user=critique.author).exists()


@pytest.mark.parametrize("how", ["hidden", "pending"])
def test_an_author_deleting_a_concealed_post_is_on_the_record(
    client, instructor, student, critique, how
):
    if how == "hidden":
        annotation_moderate(annotation=critique, moderator=instructor, action="hide", reason="Rude")
    else:
        critique.reading.seminar.premoderation = True
        critique.reading.seminar.save()
        assert annotation_update(annotation=critique, text="Edited").status == "pending"
    before = ModerationEvent.objects.count()
    client.force_login(student)
    assert api(client, "delete", f"/annotations/{critique.pk}").status_code == 204
    assert ModerationEvent.objects.count() == before + 1
    event = ModerationEvent.objects.first()  # newest first
    assert (event.action, event.from_status, event.to_status) == ("delete", how, "deleted")
    assert (event.moderator, event.moderator_name) == (student, "Lena Ortiz")
    assert event.reason == "Deleted by its author"
    client.force_login(instructor)
    page = client.get(reverse("moderation_audit", args=[critique.reading.seminar.slug])).text
    row = page.split("<tbody>")[1].split("</tr>")[0]
    assert "Lena Ortiz" in row and "Deleted by its author" in row and f"{how} → deleted" in row


def test_an_author_deleting_a_published_post_is_no_moderation(client, student, critique):
    client.force_login(student)
    assert api(client, "delete", f"/annotations/{critique.pk}").status_code == 204
    assert Annotation.objects.get(pk=critique.pk).status == "deleted"
    assert not ModerationEvent.objects.exists()


def test_deleting_twice_is_a_conflict_not_a_second_row(instructor, student, critique):
    reply_create(parent=critique, author=instructor, text="Keeps it as a tombstone.")
    annotation_moderate(annotation=critique, moderator=instructor, action="hide", reason="Rude")
    annotation_delete(annotation=critique, actor=student)
    with pytest.raises(Conflict):
        annotation_delete(annotation=critique, actor=student)
    assert ModerationEvent.objects.filter(action="delete").count() == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/annotations/{annotation}/moderation"),
        ("put", "/annotations/{annotation}/moderation"),
        ("patch", "/annotations/{annotation}/moderation"),
        ("delete", "/seminars/{seminar}/moderation"),
        ("put", "/seminars/{seminar}/moderation"),
        ("post", "/seminars/{seminar}/moderation"),
        ("delete", "/moderation/{event}"),
        ("patch", "/moderation/{event}"),
        ("delete", "/seminars/{seminar}/moderation/{event}"),
        ("put", "/annotations/{annotation}/moderation/{event}"),
    ],
)
def test_the_api_cannot_change_or_delete_the_log(client, instructor, event, method, path):
    before = snapshot()
    client.force_login(instructor)
    url = path.format(annotation=event.annotation_id, seminar=event.seminar_id, event=event.pk)
    response = api(client, method, url, {"reason": "nothing happened", "action": "unhide"})
    assert response.status_code in (404, 405)
    assert snapshot() == before
    assert Annotation.objects.get(pk=event.annotation_id).status == "hidden"


def test_the_admin_shows_the_log_read_only(admin_client, event):
    before = snapshot()
    assert admin_client.get(reverse("admin:annotations_moderationevent_add")).status_code == 403
    changelist = admin_client.get(reverse("admin:annotations_moderationevent_changelist"))
    assert changelist.status_code == 200 and "Dr. Okafor" in changelist.text
    assert "delete_selected" not in changelist.text
    change = reverse("admin:annotations_moderationevent_change", args=[event.pk])
    assert admin_client.get(change).status_code == 200  # to read
    assert admin_client.post(change, {"reason": "x"}).status_code == 403
    assert snapshot() == before


def test_the_admin_changes_moderation_state_only_through_the_service(admin_client, event):
    url = reverse("admin:annotations_annotation_change", args=[event.annotation_id])
    form = admin_client.get(url).text
    for field in ("status", "pinned", "locked", "moderation_reason"):
        assert f'name="{field}"' not in form
    post = Annotation.objects.get(pk=event.annotation_id)
    data = {
        "reading": post.reading_id,
        "kind": post.kind,
        "text": post.text,
        "tags": "[]",
        "visibility": post.visibility,
        "client_id": "",
        "created_0": post.created.strftime("%Y-%m-%d"),
        "created_1": post.created.strftime("%H:%M:%S"),
        "status": "published",
        "pinned": "on",
        "moderation_reason": "",
    }
    admin_client.post(url, data)
    post.refresh_from_db()
    assert (post.status, post.pinned, post.moderation_reason) == ("hidden", False, "Rude")
    assert ModerationEvent.objects.count() == 1


@on_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE annotations_moderationevent SET reason = 'nothing happened'",
        "UPDATE annotations_moderationevent SET moderator_id = NULL",
        "DELETE FROM annotations_moderationevent",
    ],
)
def test_postgresql_rejects_raw_changes_to_the_log(event, statement):
    before = snapshot()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert snapshot() == before


@on_postgresql
def test_postgresql_still_takes_new_rows(event, critique, instructor):
    annotation_moderate(annotation=critique, moderator=instructor, action="unhide")
    assert ModerationEvent.objects.count() == 2


def migration_0007():
    """The migration module and the models as it sees them (plain managers)."""
    module = importlib.import_module("annotations.migrations.0007_moderation_audit_names")
    name = module.__name__.rsplit(".", 1)[1]
    state = MigrationLoader(connection).project_state(("annotations", name))
    return module, state.apps


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the trigger refuses updates")
def test_the_migration_records_names_on_older_rows(instructor, critique):
    old = ModerationEvent.objects.create(
        seminar=critique.reading.seminar,
        annotation=critique,
        moderator=instructor,
        action="pin",
        from_status="published",
        to_status="published",
    )
    module, apps = migration_0007()
    module.record_moderator_names(apps, None)
    old = ModerationEvent.objects.get(pk=old.pk)
    assert (old.moderator_name, old.moderator_username, old.who) == (
        "Dr. Okafor",
        "okafor",
        "Dr. Okafor",
    )


def test_the_migration_publishes_private_notes_held_for_approval(student, blog_reading):
    note, post = (
        annotation_create(reading=blog_reading, author=student, kind="comment", text=text)[0]
        for text in ("A note", "A post")
    )
    Annotation.objects.filter(pk=note.pk).update(visibility="private", status="pending")
    Annotation.objects.filter(pk=post.pk).update(status="pending")
    module, apps = migration_0007()
    module.publish_held_private_notes(apps, None)
    assert Annotation.objects.get(pk=note.pk).status == "published"
    assert Annotation.objects.get(pk=post.pk).status == "pending"
    assert not ModerationEvent.objects.exists()
