"""Notifications: what people hear about. Authors hear of replies and of what a moderator did
to their posts (hiding, restoring, approving, pinning); members hear of a post that mentions
them; a seminar's moderators hear of every flag; students hear when a reading's grades are
released, and when the staff remind those who have not posted on a reading yet.

Each is a row in the person's in-app list; an email may follow, as its recipient chose for
its topic (preferences.py): queued once the transaction commits (deliveries.py), so a
rolled-back action sends nothing, and sent by the worker (sending.py).

What a notification shows follows visibility (annotations/permissions.py): it stays listed
while its recipient can see the post it is about or the post that one answered (for a reply,
their own post), and a grade notification while the grades stay released on a reading they
can see. Its words say who (a name or a pseudonym, as the reading page would show that
person to the recipient: presenting.Presenter), what (an excerpt of the post) and where (the
post itself), but only what the recipient may see now: a concealed post reads "Hidden by a
moderator", names nobody, and the link opens the post they can see. Nothing is emailed about
a post the recipient may not see when the email would go: an email cannot be taken back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.urls import reverse
from django.utils import formats
from django.utils.text import Truncator
from django.utils.timezone import localtime

from annotations.models import (
    Annotation,
    Flag,
    FlagReason,
    GradeRelease,
    Notification,
    NotificationKind,
    Status,
    Visibility,
)
from annotations.notifications.deliveries import email_later
from annotations.notifications.preferences import following_threads
from annotations.permissions import can_moderate, can_view_annotation
from annotations.presenting import Presenter
from seminar.models import STAFF_ROLES, Discussion, Membership, PeerVisibility, Reading, Role, User
from seminar.permissions import remember_roles
from seminar.pseudonyms import people

if TYPE_CHECKING:
    from django.db.models import QuerySet

EXCERPT_CHARS = 140

# What the list and an email need of each notification, fetched with it.
RELATED = ("annotation__reading__seminar", "annotation__author", "reading__seminar", "actor")


def notify(
    *,
    user: User | None,
    kind: str,
    annotation: Annotation,
    actor: User | None = None,
    reason: str = "",
) -> Notification | None:
    if user is None or not user.is_active:
        return None
    notification = Notification.objects.create(
        user=user, kind=kind, annotation=annotation, actor=actor, reason=reason[:300]
    )
    email_later([notification])
    return notification


def notify_reply(*, reply: Annotation) -> Notification | None:
    """Tell the author of the post replied to, once the reply is visible to them."""
    parent = reply.parent
    if reply.status != Status.PUBLISHED or parent is None or parent.author_id is None:
        return None
    if parent.author_id == reply.author_id:
        return None
    # A classmate's reply held back from them (annotations/peers) is not theirs to hear of;
    # where nothing is held back the reply is theirs to see (no query).
    reading = reply.reading
    narrowed = reading.peer_visibility != PeerVisibility.ALWAYS
    narrowed = narrowed or reading.discussion == Discussion.GROUPS
    if narrowed and not can_view_annotation(parent.author, reply):
        return None
    return notify(
        user=parent.author, kind=NotificationKind.REPLY, annotation=reply, actor=reply.author
    )


def notify_mentions(*, annotation: Annotation, mentioned: Iterable[User]) -> list[Notification]:
    """Tell each member `annotation` mentions, once, if they may see it now: a private note,
    a post for instructors only or one awaiting approval tells nobody who may not see it. Not
    its author, nor in a reply the author of the post it answers: they hear of it as a reply,
    one notification. Called again when the post changes or is approved; whoever was told
    already is not told twice."""
    mentioned = list(mentioned)
    if not mentioned:
        return []
    told = set(
        Notification.objects.filter(
            annotation=annotation, kind=NotificationKind.MENTION
        ).values_list("user_id", flat=True)
    )
    answered = annotation.parent.author_id if annotation.parent_id else None
    sent = []
    for user in mentioned:
        if user.pk in told or user.pk in (annotation.author_id, answered):
            continue
        if not can_view_annotation(user, annotation):
            continue
        notification = notify(
            user=user, kind=NotificationKind.MENTION, annotation=annotation, actor=annotation.author
        )
        if notification:
            sent.append(notification)
    return sent


def notify_flag(*, flag: Flag) -> list[Notification]:
    """Tell each moderator of the seminar (seminar.permissions.can_moderate) of a new flag,
    but the one who raised it and the author of the flagged post: flags are anonymous to
    authors, and another moderator decides."""
    annotation = flag.annotation
    seminar = annotation.reading.seminar
    staff = Membership.objects.filter(seminar=seminar, role__in=STAFF_ROLES).select_related("user")
    sent = []
    for membership in staff:
        moderator = membership.user
        remember_roles(moderator, [membership])
        if moderator.pk in (flag.user_id, annotation.author_id):
            continue
        if not can_moderate(moderator, seminar):
            continue
        label = FlagReason(flag.reason).label + (f": {flag.note}" if flag.note else "")
        notification = notify(
            user=moderator,
            kind=NotificationKind.FLAGGED,
            annotation=annotation,
            actor=flag.user,
            reason=label,
        )
        if notification:
            sent.append(notification)
    return sent


def notify_resolution(
    *, question: Annotation, actor: User, kind: str, reply: Annotation | None = None
) -> list[Notification]:
    """Tell the asker that their question was answered, addressed in class or given an
    endorsed answer (`reply`), unless they did it; and the thread's other participants who
    want to hear of it (preferences: "question_threads"). Each only if they may see the
    question now."""
    sent = []
    asker = question.author
    reason = "endorsed" if reply is not None else question.resolution_note
    if asker is not None and asker.pk != actor.pk and can_view_annotation(asker, question):
        sent.append(notify(user=asker, kind=kind, annotation=question, actor=actor, reason=reason))
    others = list(
        User.objects.filter(
            is_active=True,
            annotations__thread=question,
            annotations__status=Status.PUBLISHED,
        )
        .exclude(pk__in=[actor.pk, question.author_id or 0])
        .distinct()
    )
    wanted = following_threads([user.pk for user in others])
    state = "answered" if reply is not None else question.resolution
    for user in others:
        if user.pk in wanted and can_view_annotation(user, question):
            sent.append(
                notify(
                    user=user,
                    kind=NotificationKind.QUESTION_CLOSED,
                    annotation=question,
                    actor=actor,
                    reason=state,
                )
            )
    return [n for n in sent if n is not None]


def notify_grades(*, reading: Reading, by: User | None) -> list[Notification]:
    """Tell each student of the reading's seminar that its grades are released. A release
    replaces the word of an earlier one on the same reading: one line each, new again."""
    Notification.objects.filter(kind=NotificationKind.GRADES, reading=reading).delete()
    students = User.objects.filter(
        memberships__seminar_id=reading.seminar_id,
        memberships__role=Role.STUDENT,
        is_active=True,
    )
    sent = Notification.objects.bulk_create(
        Notification(user=student, kind=NotificationKind.GRADES, reading=reading, actor=by)
        for student in students
    )
    email_later(sent)
    return sent


def _listing(user: User) -> tuple[QuerySet[Annotation], Q]:
    """What decides whether `user` sees a notification listed: the posts they may see, and
    whether grades are still released, or a reminder was sent, on a reading they can see."""
    readings = Reading.objects.visible_to(user).values("pk")
    releases = GradeRelease.objects.filter(reading_id=OuterRef("reading_id"), reading__in=readings)
    reminded = Q(kind=NotificationKind.REMINDER, reading__in=readings)
    released = Exists(releases) | ExpressionWrapper(reminded, output_field=BooleanField())
    return Annotation.objects.visible_to(user), released


def listed_notifications(user: User) -> QuerySet[Notification]:
    """The notifications `user` sees in their list, each annotated with `seen` (may they see
    the post it is about), `parent_seen` (the post that one answered) and `released` (grades
    still released, or a reminder to post, on a reading they can see). One query."""
    visible, released = _listing(user)
    return (
        Notification.objects.filter(user=user)
        .annotate(
            seen=Exists(visible.filter(pk=OuterRef("annotation_id"))),
            parent_seen=Exists(visible.filter(pk=OuterRef("annotation__parent_id"))),
            released=released,
        )
        .filter(Q(seen=True) | Q(parent_seen=True) | Q(released=True))
    )


def unread_count(user: User) -> int:
    """The number on the navigation bar: the unread ones of the same list, asked with the
    visibility query once (seen or parent seen as one subquery): half the time to write
    and to plan, the dearest query of a page."""
    visible, released = _listing(user)
    either = visible.filter(
        Q(pk=OuterRef("annotation_id")) | Q(pk=OuterRef("annotation__parent_id"))
    )
    unread = Notification.objects.filter(user=user, read__isnull=True)
    return unread.filter(Exists(either) | released).count()


def unread_by_reading(user: User, *, kind: str = NotificationKind.REPLY) -> dict[int, int]:
    """{reading id: unread notifications of `kind` about its posts}, of the same list, in
    one query: the "unread replies" of the dashboard and the seminar page."""
    rows = (
        listed_notifications(user)
        .filter(read__isnull=True, kind=kind, annotation__isnull=False)
        .order_by()
        .values("annotation__reading_id")
        .annotate(n=Count("pk"))
        .values_list("annotation__reading_id", "n")
    )
    return dict(rows)


def excerpt(notification: Notification, namer: Namer | None = None) -> str:
    """What the post says, as far as the recipient may see it now, with its mentions named
    as the recipient may see them (pass the list's `namer`, to load each seminar once)."""
    annotation = notification.annotation
    if annotation is None:
        return ""
    if notification.seen:
        if annotation.status == Status.DELETED:
            return "This post was deleted."
        text = (namer or Namer(notification.user)).plain(annotation)
        return Truncator(" ".join(text.split())).chars(EXCERPT_CHARS)
    if annotation.status == Status.DELETED:
        return "This post was deleted."
    if annotation.visibility == Visibility.PRIVATE:
        return "This post is no longer shared with you."
    if annotation.status == Status.PENDING:
        return "This post is awaiting a moderator's approval."
    # Hidden itself, or under a hidden (or waiting) post: hidden with its branch.
    return "Hidden by a moderator."


def link(notification: Notification) -> str:
    """Where opening it goes: the post, else the one it answered (which they can see); for
    grades, the recipient's grades in that seminar."""
    annotation = notification.annotation
    if notification.kind == NotificationKind.REMINDER:
        return notification.reading.get_absolute_url()
    if annotation is None:
        seminar = notification.reading.seminar
        return reverse(
            "student_grades", kwargs={"slug": seminar.slug, "student_id": notification.user_id}
        )
    if notification.seen or annotation.parent_id is None:
        return annotation.get_absolute_url()
    return f"{annotation.reading.get_absolute_url()}#annotation-{annotation.parent_id}"


class Namer:
    """Names people as the recipient may see them, through one Presenter per seminar (one
    query each: the seminar's roles and pseudonyms), never one per notification."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.presenters: dict[int, Presenter] = {}

    def presenter(self, reading: Reading) -> Presenter:
        seminar = reading.seminar
        if seminar.pk not in self.presenters:
            roles, pseudonyms = people(seminar)
            # The recipient's own role is among them: the rules need not ask again.
            remember_roles(self.user, [Membership(seminar=seminar, role=roles.get(self.user.pk))])
            self.presenters[seminar.pk] = Presenter(
                self.user, reading, known_people=(roles, pseudonyms)
            )
        return self.presenters[seminar.pk]

    def author(self, annotation: Annotation) -> str:
        return self.presenter(annotation.reading).author_of(annotation)["name"]

    def plain(self, annotation: Annotation) -> str:
        """The post's text, each mention "@Name" as the recipient may name them."""
        if "@[member:" not in annotation.text:
            return annotation.text
        return self.presenter(annotation.reading).plain(annotation.text)

    def person(self, reading: Reading, person: User | None) -> str:
        if person is None:
            return ""
        shown = self.presenter(reading).author(
            {
                "status": Status.PUBLISHED,
                "author_id": person.pk,
                "author_name": "",
                "author__display_name": person.display_name,
                "author__username": person.username,
            }
        )
        return shown["name"]


def describe(notification: Notification, namer: Namer) -> str:
    """One sentence: who did what, where."""
    kind = NotificationKind(notification.kind)
    annotation = notification.annotation
    if kind == NotificationKind.GRADES:
        reading = notification.reading
        who = namer.person(reading, notification.actor) or "Your instructor"
        return f"{who} released grades for “{reading.title}”."
    if kind == NotificationKind.REMINDER:
        reading = notification.reading
        who = namer.person(reading, notification.actor) or "Your instructor"
        due = (
            f", due {formats.date_format(localtime(reading.due), 'l j F, H:i')}"
            if reading.due
            else ""
        )
        return f"{who} reminded you to join the discussion of “{reading.title}”{due}."
    title = annotation.reading.title
    if kind == NotificationKind.REPLY:
        # A reply they may not see now names nobody: the placeholder of the page says as much.
        who = namer.author(annotation) if notification.seen else ""
        if who:
            return f"{who} replied to your post on “{title}”."
        return f"Someone replied to your post on “{title}”."
    if kind == NotificationKind.MENTION:
        who = namer.author(annotation) if notification.seen else ""
        return f"{who or 'Someone'} mentioned you in a post on “{title}”."
    if kind in QUESTION_WORDS:
        who = namer.person(annotation.reading, notification.actor) if notification.seen else ""
        return QUESTION_WORDS[kind](who or "Someone", title, notification.reason)
    if kind == NotificationKind.FLAGGED:
        # Who flagged is for the seminar's moderators (their queue and audit log show it):
        # one who no longer moderates is told only that a post was flagged.
        presenter = namer.presenter(annotation.reading)
        if not (notification.seen and presenter.moderator):
            return f"A post on “{title}” was flagged."
        who = namer.person(annotation.reading, notification.actor) or "A member"
        author = namer.author(annotation)
        post = f"a post by {author}" if author else "a post"
        text = f"{who} flagged {post} on “{title}”."
        if notification.reason:
            text += f" Reason: {notification.reason}"
        return text
    text = f"A moderator {kind.label} on “{title}”."
    if notification.reason:
        text += f" Reason: {notification.reason}"
    return text


def _your_question(verb: str) -> Callable[[str, str, str], str]:
    def words(who: str, title: str, reason: str) -> str:
        if reason == "endorsed":
            return f"{who} endorsed an answer to your question on “{title}”."
        note = f" Note: {reason}" if reason else ""
        return f"{who} marked your question on “{title}” {verb}.{note}"

    return words


# The sentence of a question's notification: (who, the reading's title, its `reason`: the
# note, "endorsed" for an endorsed answer, the state for the thread's other participants).
QUESTION_WORDS = {
    NotificationKind.ANSWERED: _your_question("answered"),
    NotificationKind.ADDRESSED: _your_question("addressed in class"),
    NotificationKind.QUESTION_CLOSED: lambda who, title, state: (
        f"{who} marked a question you took part in on “{title}” "
        f"{'addressed in class' if state == 'addressed' else 'answered'}."
    ),
}


def present(user: User, notifications: Iterable[Notification]) -> list[Notification]:
    """The notifications of `listed_notifications(user)` (fetched with RELATED), each with
    `text`, `excerpt` and `url` as `user` may see them now. A query per seminar the list
    touches, none per notification."""
    namer = Namer(user)
    items = list(notifications)
    for item in items:
        item.text = describe(item, namer)
        item.excerpt = excerpt(item, namer)
        item.url = link(item)
    return items


def notify_reminder(*, reading: Reading, by: User, students: Iterable[User]) -> list[Notification]:
    """Remind each of `students` to join the discussion of `reading` (the staff's "remind
    them" on Before class, annotations/insight): one line each, emailed as they chose."""
    sent = Notification.objects.bulk_create(
        Notification(user=student, kind=NotificationKind.REMINDER, reading=reading, actor=by)
        for student in students
        if student.is_active
    )
    email_later(sent)
    return sent
