"""Moderation: flags, the one audited action function, the queue, pre-moderation, locks,
pins, notifications, and who may do any of it."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from annotations.models import Annotation, ModerationEvent, Notification
from annotations.moderation.services import Conflict, annotation_moderate, flag_create
from annotations.services import annotation_create, annotation_update, reply_create
from seminar.models import Membership, Role
from seminar.services import ServiceError, seminar_create
from tests.apicalls import api
from tests.conftest import make_user


def test_a_student_flags_once_with_a_reason(client, student2, critique):
    client.force_login(student2)
    path = f"/annotations/{critique.pk}/flags"
    assert api(client, "post", path, {"reason": "rude"}).status_code == 400
    assert api(client, "post", path, {"reason": "other"}).json()["detail"].startswith("Say")
    assert api(client, "post", path, {"reason": "disrespectful"}).status_code == 201
    again = api(client, "post", path, {"reason": "spam"})
    assert again.status_code == 409
    assert critique.flags.count() == 1


def test_you_cannot_flag_your_own(client, student, critique):
    client.force_login(student)
    response = api(client, "post", f"/annotations/{critique.pk}/flags", {"reason": "spam"})
    assert response.status_code == 400


def moderate(client, annotation, action, reason=""):
    return api(
        client,
        "post",
        f"/annotations/{annotation.pk}/moderation",
        {"action": action, "reason": reason},
    )


def test_hiding_shows_the_reason_to_the_author_and_nothing_to_peers(
    client, student, student2, instructor, critique
):
    flag_create(annotation=critique, user=student2, reason="disrespectful")
    client.force_login(instructor)
    assert moderate(client, critique, "hide").status_code == 400  # a reason is required
    response = moderate(client, critique, "hide", "Please critique the argument, not people.")
    assert response.status_code == 200
    assert response.json()["status"] == "hidden"
    listing = api(client, "get", f"/readings/{critique.reading_id}/annotations").json()
    assert critique.pk in [a["id"] for a in listing["items"]]  # instructors still see it

    client.force_login(student2)
    assert api(client, "get", f"/annotations/{critique.pk}").status_code == 404
    listing = api(client, "get", f"/readings/{critique.reading_id}/annotations").json()
    assert critique.pk not in [a["id"] for a in listing["items"]]
    assert listing["count"] == 3  # just the imported reader comments

    client.force_login(student)
    mine = api(client, "get", f"/annotations/{critique.pk}").json()
    assert mine["status"] == "hidden"
    assert mine["moderation_reason"] == "Please critique the argument, not people."
    note = Notification.objects.get(user=student)
    assert note.kind == "hidden" and note.reason.startswith("Please")
    page = client.get(reverse("notifications")).text
    assert "Please critique the argument" in page


def test_each_action_leaves_exactly_one_audit_row(instructor, critique):
    steps = [
        ("pin", ""),
        ("lock", ""),
        ("unlock", ""),
        ("unpin", ""),
        ("hide", "Off topic"),
        ("unhide", ""),
        ("delete", ""),
    ]
    for n, (action, reason) in enumerate(steps, start=1):
        annotation_moderate(annotation=critique, moderator=instructor, action=action, reason=reason)
        assert ModerationEvent.objects.count() == n
        assert ModerationEvent.objects.first().action == action
    assert list(ModerationEvent.objects.values_list("to_status", flat=True))[0] == "deleted"


def test_the_audit_log_cannot_be_changed_or_deleted(client, instructor, critique, admin_client):
    annotation_moderate(annotation=critique, moderator=instructor, action="pin")
    event = ModerationEvent.objects.get()
    with pytest.raises(PermissionError):
        ModerationEvent.objects.filter(pk=event.pk).update(reason="nothing happened")
    with pytest.raises(PermissionError):
        ModerationEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        event.delete()
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    url = reverse("admin:annotations_moderationevent_change", args=[event.pk])
    assert admin_client.post(url, {"reason": "x"}).status_code == 403
    delete = reverse("admin:annotations_moderationevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ModerationEvent.objects.get().reason == ""


def test_students_cannot_moderate(client, student2, critique, seminar):
    client.force_login(student2)
    assert moderate(client, critique, "hide", "no").status_code == 403
    assert api(client, "get", f"/seminars/{seminar.pk}/moderation").status_code == 404
    assert client.get(reverse("moderation_queue", args=[seminar.slug])).status_code == 404
    assert not ModerationEvent.objects.exists()


def test_tas_moderate_only_where_the_seminar_allows(client, ta, seminar, critique):
    client.force_login(ta)
    assert moderate(client, critique, "pin").status_code == 200
    seminar.tas_moderate = False
    seminar.save()
    assert moderate(client, critique, "unpin").status_code == 403
    assert ModerationEvent.objects.count() == 1


def test_an_instructor_of_another_seminar_cannot_touch_it(client, outsider, critique):
    client.force_login(outsider)
    assert moderate(client, critique, "hide", "mine now").status_code == 404
    assert (
        api(client, "get", f"/seminars/{critique.reading.seminar_id}/moderation").status_code == 404
    )


def test_the_queue_lists_flagged_pending_and_hidden(
    client, instructor, student, student2, seminar, critique, blog_reading
):
    flag_create(annotation=critique, user=student2, reason="off_topic")
    seminar.premoderation = True
    seminar.save()
    waiting, _ = annotation_create(
        reading=blog_reading, author=student2, kind="comment", text="Waiting for approval"
    )
    client.force_login(instructor)
    queue = api(client, "get", f"/seminars/{seminar.pk}/moderation").json()
    assert [a["id"] for a in queue["flagged"]] == [critique.pk]
    assert queue["flagged"][0]["flags"] == 1
    assert queue["flagged"][0]["flag_reasons"] == ["Off topic"]
    assert [a["id"] for a in queue["pending"]] == [waiting.pk]
    page = client.get(reverse("moderation_queue", args=[seminar.slug])).text
    assert "Waiting for approval" in page and "Off topic" in page


def test_bulk_actions_from_the_queue_page(client, instructor, student2, seminar, blog_reading):
    seminar.premoderation = True
    seminar.save()
    posts = [
        annotation_create(reading=blog_reading, author=student2, kind="comment", text=f"Post {i}")[
            0
        ]
        for i in range(3)
    ]
    client.force_login(instructor)
    client.post(
        reverse("moderation_bulk", args=[seminar.slug]),
        {"action": "approve", "ids": [p.pk for p in posts]},
    )
    assert set(
        Annotation.objects.filter(pk__in=[p.pk for p in posts]).values_list("status", flat=True)
    ) == {"published"}
    assert ModerationEvent.objects.filter(action="approve").count() == 3


def test_the_bulk_action_starts_unchosen_and_applying_none_changes_nothing(
    client, instructor, student2, seminar, blog_reading
):
    seminar.premoderation = True
    seminar.save()
    post = annotation_create(reading=blog_reading, author=student2, kind="comment", text="Hi")[0]
    client.force_login(instructor)
    page = client.get(reverse("moderation_queue", args=[seminar.slug])).text
    select = page[page.index('id="bulk-action"') : page.index("</select>")]
    assert '<option value="" selected>Choose an action…</option>' in select
    assert '<option value="approve" selected' not in select
    for data in ({"ids": [post.pk]}, {"action": "", "ids": [post.pk]}):
        response = client.post(reverse("moderation_bulk", args=[seminar.slug]), data, follow=True)
        assert "Choose an action for the ticked posts first." in response.text
    post.refresh_from_db()
    assert post.status == "pending"
    assert not ModerationEvent.objects.exists()


def test_premoderation_holds_posts_and_edits_until_approved(
    client, student, student2, instructor, seminar, blog_reading
):
    seminar.premoderation = True
    seminar.save()
    post, _ = annotation_create(reading=blog_reading, author=student, kind="comment", text="Hi")
    assert post.status == "pending"
    client.force_login(student2)
    assert api(client, "get", f"/annotations/{post.pk}").status_code == 404
    client.force_login(student)
    assert api(client, "get", f"/annotations/{post.pk}").json()["status"] == "pending"
    annotation_moderate(annotation=post, moderator=instructor, action="approve")
    assert Notification.objects.filter(user=student, kind="approved").exists()
    client.force_login(student2)
    assert api(client, "get", f"/annotations/{post.pk}").status_code == 200
    edited = annotation_update(annotation=post, text="Hi, edited")
    assert edited.status == "pending"
    assert api(client, "get", f"/annotations/{post.pk}").status_code == 404


def test_instructors_posts_need_no_approval(seminar, instructor, blog_reading):
    seminar.premoderation = True
    seminar.save()
    post, _ = annotation_create(
        reading=blog_reading, author=instructor, kind="comment", text="Welcome"
    )
    assert post.status == "published"


def test_a_locked_thread_takes_no_replies(client, instructor, student2, critique):
    annotation_moderate(annotation=critique, moderator=instructor, action="lock")
    with pytest.raises(ServiceError, match="locked"):
        reply_create(parent=critique, author=student2, text="One more thing")
    client.force_login(student2)
    response = api(client, "post", f"/annotations/{critique.pk}/replies", {"text": "x"})
    assert response.status_code == 400
    assert api(client, "get", f"/annotations/{critique.pk}").json()["locked"] is True


def test_pinning_is_shown_and_notifies_the_author(client, instructor, student, critique):
    annotation_moderate(annotation=critique, moderator=instructor, action="pin")
    client.force_login(student)
    assert api(client, "get", f"/annotations/{critique.pk}").json()["pinned"] is True
    assert Notification.objects.get(user=student).kind == "pinned"


def test_acting_twice_is_a_409(client, instructor, critique):
    client.force_login(instructor)
    assert moderate(client, critique, "hide", "Off topic").status_code == 200
    second = moderate(client, critique, "hide", "Off topic")
    assert second.status_code == 409
    assert "already" in second.json()["detail"] or "hidden" in second.json()["detail"]
    assert ModerationEvent.objects.count() == 1


def test_replies_notify_and_a_hidden_reply_keeps_its_notification_without_its_text(
    client, student, student2, instructor, critique
):
    reply, _ = reply_create(parent=critique, author=student2, text="Here is why.")
    note = Notification.objects.get(user=student, kind="reply")
    client.force_login(student)
    page = client.get(reverse("notifications")).text
    assert "replied to your post" in page and "Here is why." in page
    annotation_moderate(annotation=reply, moderator=instructor, action="hide", reason="Spam")
    # What Lena was told stays; what she may no longer read does not (annotations/permissions).
    page = client.get(reverse("notifications")).text
    assert "replied to your post" in page and "Hidden by a moderator." in page
    assert "Here is why." not in page and "Spam" not in page
    opened = client.get(reverse("notification_open", args=[note.pk]))
    assert opened.status_code == 302 and opened.url.endswith(f"#annotation-{critique.pk}")


def test_email_follows_with_or_without_an_smtp_server(
    settings, student2, critique, django_capture_on_commit_callbacks
):
    # Without EMAIL_HOST the console backend prints it (`make run`); the tests' is locmem.
    settings.EMAIL_HOST = ""
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(parent=critique, author=student2, text="An answer")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [critique.author.email]


def test_no_email_to_an_author_without_an_address(
    student2, critique, django_capture_on_commit_callbacks
):
    critique.author.email = ""
    critique.author.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(parent=critique, author=student2, text="An answer")
    assert mail.outbox == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_moderators_at_once_leave_one_consistent_result(blog_reading, student):
    seminar = blog_reading.seminar
    moderators = []
    for name in ("mod_a", "mod_b"):
        user = make_user(name, name)
        Membership.objects.create(seminar=seminar, user=user, role=Role.INSTRUCTOR)
        moderators.append(user)
    post, _ = annotation_create(reading=blog_reading, author=student, kind="comment", text="x")
    barrier, outcomes = threading.Barrier(2), []

    def act(moderator):
        try:
            barrier.wait()
            annotation_moderate(
                annotation=post, moderator=moderator, action="hide", reason="Off topic"
            )
            outcomes.append("done")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(m,)) for m in moderators]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "done"]
    assert ModerationEvent.objects.filter(annotation=post).count() == 1
    post.refresh_from_db()
    assert post.status == "hidden"


def test_seminar_moderation_settings_on_the_form(client, instructor):
    seminar = seminar_create(title="Settings", creator=instructor)
    client.force_login(instructor)
    client.post(
        reverse("seminar_edit", args=[seminar.slug]), {"title": "Settings", "premoderation": "on"}
    )
    seminar.refresh_from_db()
    assert seminar.premoderation is True and seminar.tas_moderate is False


def test_audit_page_shows_the_flag_and_the_action(client, instructor, student2, critique):
    flag_create(annotation=critique, user=student2, reason="disrespectful", note="personal")
    annotation_moderate(
        annotation=critique,
        moderator=instructor,
        action="hide",
        reason="Keep it about the argument",
    )
    client.force_login(instructor)
    page = client.get(reverse("moderation_audit", args=[critique.reading.seminar.slug])).text
    assert "Flagged" in page and "Disrespectful: personal" in page
    assert "Hid" in page and "Keep it about the argument" in page
    assert page.index("Keep it about the argument") < page.index("Disrespectful: personal")


def test_the_audit_page_says_whether_a_flag_was_upheld_or_dismissed(
    client, instructor, student, student2, critique, blog_reading
):
    flag_create(annotation=critique, user=student2, reason="disrespectful")
    annotation_moderate(annotation=critique, moderator=instructor, action="hide", reason="Rude")
    fine = annotation_create(reading=blog_reading, author=student2, kind="comment", text="Fine")[0]
    flag_create(annotation=fine, user=student, reason="spam")
    annotation_moderate(annotation=fine, moderator=instructor, action="dismiss")
    client.force_login(instructor)
    page = client.get(reverse("moderation_audit", args=[critique.reading.seminar.slug])).text
    assert "settled" not in page
    rows = page.split('<tr class="audit-flag">')[1:]
    spam, rude = rows  # newest first
    assert "Flag dismissed" in spam and "Spam" in spam
    assert "Flag upheld" in rude and "Disrespectful" in rude


def test_the_author_sees_awaiting_approval_on_their_own_post(
    client, student, student2, instructor, seminar, blog_reading
):
    seminar.premoderation = True
    seminar.save()
    client.force_login(student)
    url = reverse("comment_post", args=[seminar.slug, blog_reading.slug])
    client.post(url, {"text": "A thought that waits"})
    post = Annotation.objects.get(text="A thought that waits")
    assert post.status == "pending"
    page = client.get(blog_reading.get_absolute_url()).text
    assert "A thought that waits" in page and "Awaiting approval" in page
    assert api(client, "get", f"/annotations/{post.pk}").json()["status"] == "pending"
    listing = api(client, "get", f"/readings/{blog_reading.pk}/annotations").json()
    assert next(a for a in listing["items"] if a["id"] == post.pk)["status"] == "pending"

    client.force_login(student2)
    page = client.get(blog_reading.get_absolute_url()).text
    assert "A thought that waits" not in page and "Awaiting approval" not in page

    # Approved, then edited through the API: back to waiting, and the author is told so.
    annotation_moderate(annotation=post, moderator=instructor, action="approve")
    client.force_login(student)
    assert "Awaiting approval" not in client.get(blog_reading.get_absolute_url()).text
    edited = api(client, "patch", f"/annotations/{post.pk}", {"text": "A thought, edited"})
    assert edited.json()["status"] == "pending"
    assert "Awaiting approval" in client.get(blog_reading.get_absolute_url()).text
    client.force_login(student2)
    assert api(client, "get", f"/annotations/{post.pk}").status_code == 404


def test_a_reply_can_be_flagged_once_per_person(client, student, student2, instructor, critique):
    reply, _ = reply_create(parent=critique, author=student, text="And you are all rude.")
    client.force_login(student2)
    path = f"/annotations/{reply.pk}/flags"
    response = api(client, "post", path, {"reason": "disrespectful", "note": "Name-calling"})
    assert response.status_code == 201
    assert api(client, "post", path, {"reason": "spam"}).status_code == 409
    assert reply.flags.get().user == student2
    assert critique.flags.count() == 0
    client.force_login(instructor)
    queue = api(client, "get", f"/seminars/{critique.reading.seminar_id}/moderation").json()
    assert [a["id"] for a in queue["flagged"]] == [reply.pk]
    assert queue["flagged"][0]["flag_reasons"] == ["Disrespectful: Name-calling"]
