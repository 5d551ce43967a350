"""Closing questions: a question's state (open, answered, addressed in class with a note) and
the replies staff endorse as its answer. Keyword-only, one transaction each; the rules are
annotations/questions/permissions.py, the errors seminar/errors.py.

Endorsing a reply marks its question answered. Taking an endorsement back leaves the state
as it is: the question's author or staff reopen it if the answer no longer stands. Whoever
did not close the question themselves hears of it (notifications.notify_resolution): its
asker, and by their preference the thread's other participants.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from annotations.models import Annotation, Kind, NotificationKind, Resolution, Status
from annotations.notifications.services import notify_resolution
from annotations.questions.permissions import can_endorse, can_resolve
from seminar.errors import NotFound, NotPermitted, ServiceError

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from seminar.models import Reading, Seminar, User

NOTE_CHARS = 300
TELLS = {
    Resolution.ANSWERED: NotificationKind.ANSWERED,
    Resolution.ADDRESSED: NotificationKind.ADDRESSED,
}


def _locked(annotation: Annotation) -> Annotation:
    """The post read afresh and held for this transaction: two people closing it at once
    take turns."""
    fresh = (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("reading__seminar", "author")
        .filter(pk=annotation.pk)
        .first()
    )
    if fresh is None:
        raise NotFound("This post is gone.")
    return fresh


def _published(post: Annotation, what: str) -> None:
    if post.status == Status.DELETED:
        raise ServiceError(f"This {what} was deleted.")
    if post.status != Status.PUBLISHED:
        raise ServiceError(f"Only a published {what} can be marked; this one is {post.status}.")


@transaction.atomic
def question_resolve(*, question: Annotation, user: User, state: str, note: str = "") -> Annotation:
    """Set where `question` stands. `note` says how it was addressed (kept for answered and
    addressed, cleared on reopening). Setting the state it has already changes nothing and
    tells nobody."""
    if state not in Resolution.values:
        raise ServiceError(f"Unknown state “{state}”: use one of {', '.join(Resolution.values)}.")
    if question.kind != Kind.QUESTION:
        raise ServiceError(f"Only questions can be resolved: this post is a {question.kind}.")
    question = _locked(question)
    _published(question, "question")
    if not can_resolve(user, question):
        raise NotPermitted(
            "Only the question's author or the seminar's instructors and TAs can mark it."
        )
    note = "" if state == Resolution.OPEN else " ".join((note or "").split())[:NOTE_CHARS]
    if (question.resolution, question.resolution_note) == (state, note):
        return question
    before = question.resolution
    _set(question, state=state, note=note, by=user)
    if state in TELLS and before != state:
        notify_resolution(question=question, actor=user, kind=TELLS[state])
    return question


def _set(question: Annotation, *, state: str, note: str, by: User) -> None:
    question.resolution, question.resolution_note = state, note
    question.resolved_by, question.resolved_at = by, timezone.now()
    question.save(
        update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at", "updated"]
    )


@transaction.atomic
def reply_endorse(*, reply: Annotation, user: User, endorsed: bool = True) -> Annotation:
    """Endorse `reply` as an answer to its thread's question (or take that back). A new
    endorsement marks the question answered and tells its asker."""
    if reply.parent_id is None:
        raise ServiceError(
            f"Only a reply can be endorsed as an answer: this post is a {reply.kind}."
        )
    reply = _locked(reply)
    question = _locked(Annotation(pk=reply.thread_id))
    if question.kind != Kind.QUESTION:
        raise ServiceError(
            "Only a reply to a question can be endorsed as its answer: this thread starts "
            f"with a {question.kind}."
        )
    _published(reply, "reply")
    reply.thread = question
    if not can_endorse(user, reply):
        raise NotPermitted("Only the seminar's instructors and TAs can endorse an answer.")
    if reply.endorsed == endorsed:
        return reply
    reply.endorsed = endorsed
    reply.save(update_fields=["endorsed", "updated"])
    if endorsed and question.status == Status.PUBLISHED:
        if question.resolution != Resolution.ANSWERED:
            _set(question, state=Resolution.ANSWERED, note="", by=user)
        notify_resolution(
            question=question, actor=user, kind=NotificationKind.ANSWERED, reply=reply
        )
    return reply


@transaction.atomic
def questions_address(
    *, questions: Iterable[Annotation], user: User, note: str = ""
) -> tuple[int, list[str]]:
    """Mark each question addressed in class with one note, all or nothing of what may be
    done: (how many were marked, the reason each other one was not)."""
    done, problems = 0, []
    for question in questions:
        try:
            with transaction.atomic():
                question_resolve(
                    question=question, user=user, state=Resolution.ADDRESSED, note=note
                )
            done += 1
        except (ServiceError, NotPermitted, NotFound) as exc:
            problems.append(f"#{question.pk}: {exc}")
    return done, problems


def open_questions(*, seminar: Seminar, user: User, reading: Reading | None = None) -> QuerySet:
    """The seminar's (or one reading's) open, published questions `user` may see, oldest
    first, each with `reply_count` (its thread's published replies) and its reading and
    author loaded: one query whatever their number."""
    replies = (
        Annotation.objects.filter(thread=OuterRef("pk"), status=Status.PUBLISHED)
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = Annotation.objects.visible_to(user).filter(
        Q(resolution=Resolution.OPEN) | Q(resolution__isnull=True),
        reading__seminar=seminar,
        kind=Kind.QUESTION,
        status=Status.PUBLISHED,
    )
    if reading is not None:
        queryset = queryset.filter(reading=reading)
    return (
        queryset.annotate(reply_count=Subquery(replies))
        .select_related("reading__seminar", "author")
        .order_by("created", "id")
    )
