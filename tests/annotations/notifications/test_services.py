"""Who hears of what (flags, replies, released grades), and what each notification says: who,
in the name the recipient may see; what, only from a post they may see; where, the post."""

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from annotations.grading import gradebook
from annotations.models import Notification, NotificationKind
from annotations.moderation.services import annotation_moderate, flag_create
from annotations.notifications.services import (
    RELATED,
    link,
    listed_notifications,
    present,
    unread_by_reading,
    unread_count,
)
from annotations.services import annotation_delete, reply_create
from seminar.models import ReadingStatus
from seminar.pseudonyms import people


def shown(user):
    """What `user`'s Notifications list shows: (text, excerpt, url) of each, newest first."""
    items = present(user, listed_notifications(user).select_related(*RELATED))
    return [(item.text, item.excerpt, item.url) for item in items]


# Flags reach the seminar's moderators.


def test_an_open_flag_tells_each_moderator_but_the_flagger_and_the_author(
    seminar, instructor, ta, student, student2, comment
):
    flag_create(annotation=comment, user=student2, reason="off_topic")
    told = set(
        Notification.objects.filter(kind=NotificationKind.FLAGGED).values_list("user", flat=True)
    )
    assert told == {instructor.pk, ta.pk}


def test_tas_hear_of_flags_only_where_they_moderate(
    seminar, instructor, ta, student, student2, comment
):
    seminar.tas_moderate = False
    seminar.save(update_fields=["tas_moderate"])
    flag_create(annotation=comment, user=student2, reason="spam")
    assert not Notification.objects.filter(user=ta).exists()
    assert Notification.objects.filter(user=instructor, kind="flagged").exists()


def test_a_moderator_is_told_who_flagged_whose_post_why_and_what_it_says(
    blog_reading, ta, student, student2, comment
):
    flag_create(annotation=comment, user=student2, reason="other", note="Names a classmate.")
    ((text, excerpt, url),) = shown(ta)
    title = blog_reading.title
    assert text == (
        f"Sam Park flagged a post by Lena Ortiz on “{title}”. Reason: Other: Names a classmate."
    )
    assert excerpt == "Mali is a test case."
    assert url == f"{blog_reading.get_absolute_url()}#annotation-{comment.pk}"


def test_staff_see_names_in_a_seminar_that_hides_them(seminar, ta, student, student2, comment):
    seminar.anonymous_peers = True
    seminar.save(update_fields=["anonymous_peers"])
    flag_create(annotation=comment, user=student2, reason="spam")
    ((text, _excerpt, _url),) = shown(ta)
    assert text.startswith("Sam Park flagged a post by Lena Ortiz")


def test_one_who_no_longer_moderates_is_not_told_who_flagged(
    seminar, ta, student, student2, comment
):
    flag_create(annotation=comment, user=student2, reason="off_topic")
    seminar.tas_moderate = False
    seminar.save(update_fields=["tas_moderate"])
    ((text, _excerpt, _url),) = shown(ta)
    assert text == f"A post on “{comment.reading.title}” was flagged."


def test_flag_email_goes_to_the_moderators(
    instructor, ta, student2, comment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flag_create(annotation=comment, user=student2, reason="off_topic")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([instructor.email, ta.email])
    assert "Sam Park flagged a post by Lena Ortiz" in mail.outbox[0].body
    assert "Mali is a test case." in mail.outbox[0].body


# Replies say who answered, as the recipient may see them.


def test_a_reply_notification_names_the_replier_and_quotes_the_reply(
    blog_reading, student, student2, comment
):
    reply, _ = reply_create(parent=comment, author=student2, text="Not quite:   Chad\nmatters.")
    ((text, excerpt, url),) = shown(student)
    assert text == f"Sam Park replied to your post on “{blog_reading.title}”."
    assert excerpt == "Not quite: Chad matters."
    assert url == f"{blog_reading.get_absolute_url()}#annotation-{reply.pk}"


def test_a_replier_is_named_by_pseudonym_where_the_seminar_hides_names(
    seminar, student, student2, instructor, comment
):
    seminar.anonymous_peers = True
    seminar.save(update_fields=["anonymous_peers"])
    reply_create(parent=comment, author=student2, text="Not quite.")
    reply_create(parent=comment, author=instructor, text="Say more.")
    pseudonym = people(seminar)[1][student2.pk]
    texts = [text for text, _excerpt, _url in shown(student)]
    # Staff are always named; a classmate by the name the reading page gives them.
    assert texts[0].startswith("Dr. Okafor replied")
    assert texts[1].startswith(f"{pseudonym} replied")
    assert not any("Sam Park" in text for text in texts)


def test_a_hidden_reply_names_nobody_and_says_nothing_of_itself(
    instructor, student, student2, comment
):
    reply, _ = reply_create(parent=comment, author=student2, text="Not quite.")
    annotation_moderate(annotation=reply, moderator=instructor, action="hide", reason="Rude")
    ((text, excerpt, url),) = shown(student)
    assert "Sam Park" not in text and text.startswith("Someone replied to your post")
    assert excerpt == "Hidden by a moderator."
    assert url.endswith(f"#annotation-{comment.pk}")  # her own post, which she may see


def test_a_deleted_reply_names_nobody(student, student2, comment):
    reply, _ = reply_create(parent=comment, author=student2, text="Not quite.")
    reply_create(parent=reply, author=student, text="Why not?")  # keeps a tombstone
    annotation_delete(annotation=reply, actor=student2)
    text, excerpt, _url = next(s for s in shown(student) if "replied" in s[0])
    assert "Sam Park" not in text and excerpt == "This post was deleted."


def test_unread_replies_are_counted_by_reading(blog_reading, student, student2, comment):
    first, _ = reply_create(parent=comment, author=student2, text="One.")
    reply_create(parent=comment, author=student2, text="Two.")
    assert unread_by_reading(student) == {blog_reading.pk: 2}
    Notification.objects.filter(annotation=first).update(read=first.created)
    assert unread_by_reading(student) == {blog_reading.pk: 1}
    assert unread_by_reading(student2) == {}


# Released grades reach each student of the seminar.


def test_releasing_grades_tells_each_student_once(
    seminar, blog_reading, instructor, ta, student, student2
):
    gradebook.grades_release(reading=blog_reading, by=instructor)
    gradebook.grades_release(reading=blog_reading, by=instructor)  # already released
    grades = Notification.objects.filter(kind=NotificationKind.GRADES)
    assert sorted(grades.values_list("user", flat=True)) == sorted([student.pk, student2.pk])
    ((text, excerpt, url),) = shown(student)
    assert text == f"Dr. Okafor released grades for “{blog_reading.title}”."
    assert excerpt == ""
    assert url == reverse("student_grades", args=[seminar.slug, student.pk])


def test_grades_taken_back_are_no_longer_listed_and_a_new_release_is_news_again(
    blog_reading, instructor, student
):
    gradebook.grades_release(reading=blog_reading, by=instructor)
    Notification.objects.filter(user=student).update(read=blog_reading.created)
    gradebook.grades_release(reading=blog_reading, by=instructor, release=False)
    assert shown(student) == []
    gradebook.grades_release(reading=blog_reading, by=instructor)
    (note,) = listed_notifications(student)
    assert note.read is None


def test_grades_of_a_draft_are_listed_once_students_can_see_it(draft_reading, instructor, student):
    gradebook.grades_release(reading=draft_reading, by=instructor)
    assert shown(student) == []
    draft_reading.status = ReadingStatus.PUBLISHED
    draft_reading.save(update_fields=["status"])
    assert len(shown(student)) == 1


def test_nobody_is_emailed_grades_they_cannot_see(
    draft_reading, instructor, student, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gradebook.grades_release(reading=draft_reading, by=instructor)
    assert mail.outbox == []


# What a notification links to and shows never reaches past what its recipient may see.


def test_the_link_of_a_notification_is_the_post_itself(student, student2, instructor, comment):
    annotation_moderate(annotation=comment, moderator=instructor, action="pin")
    (note,) = listed_notifications(student).select_related(*RELATED)
    assert link(note) == comment.get_absolute_url()
    assert link(note).endswith(f"#annotation-{comment.pk}")


def test_a_flagged_post_out_of_a_former_moderators_sight_leaks_nothing(
    seminar, instructor, ta, student, student2, comment
):
    """Lena's reply, flagged by Sam and hidden; then the TA becomes a student. Her
    notification stays (she can see the post it answered) but says nothing of the reply,
    of who wrote it or of who flagged it."""
    reply, _ = reply_create(parent=comment, author=student, text="A secret worth keeping.")
    flag_create(annotation=reply, user=student2, reason="other", note="Mentions Sam")
    annotation_moderate(annotation=reply, moderator=instructor, action="hide", reason="Rude")
    seminar.memberships.filter(user=ta).update(role="student")
    ((text, excerpt, url),) = shown(ta)
    assert text == f"A post on “{comment.reading.title}” was flagged."
    assert excerpt == "Hidden by a moderator."
    assert url.endswith(f"#annotation-{comment.pk}")


def test_the_badge_counts_exactly_the_unread_ones_of_the_list(
    seminar, draft_reading, instructor, ta, student, student2, outsider, comment
):
    """The navigation bar's number is asked its own, cheaper way (`unread_count`): for each
    person and each state, it is the number of unread items of their list."""

    def agree():
        for person in (instructor, ta, student, student2, outsider):
            listed = listed_notifications(person).filter(read__isnull=True).count()
            assert unread_count(person) == listed, person
        return unread_count(student)

    assert agree() == 0
    answer, _ = reply_create(parent=comment, author=student2, text="One.")
    mine, _ = reply_create(parent=answer, author=student, text="Two.")
    flag_create(annotation=mine, user=student2, reason="other", note="Off topic")
    assert agree() == 1
    annotation_moderate(annotation=answer, moderator=instructor, action="hide", reason="Rude")
    assert agree() == 1  # the post it answered is hers: listed, saying nothing of the reply
    annotation_delete(annotation=comment, actor=student)
    gradebook.grades_release(reading=comment.reading, by=instructor)
    gradebook.grades_release(reading=draft_reading, by=instructor)
    assert agree() == 2  # the grades of the draft wait until students can see it
    gradebook.grades_release(reading=comment.reading, by=instructor, release=False)
    seminar.memberships.filter(user=ta).update(role="student")
    draft_reading.status = ReadingStatus.PUBLISHED
    draft_reading.save()
    assert agree() == 2
    Notification.objects.filter(user=student).update(read=timezone.now())
    assert agree() == 0
