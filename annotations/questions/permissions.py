"""Who may say where a question stands, and who may endorse an answer: the rules of
annotations/permissions.py (`question_may_be_resolved`, `reply_may_be_endorsed`), asked of a
person and a post. The presenter asks the same rules of its rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotations.models import Kind
from annotations.permissions import (
    can_teach,
    is_author,
    question_may_be_resolved,
    reply_may_be_endorsed,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from annotations.models import Annotation
    from seminar.models import Seminar, User


def can_resolve(user: User | AnonymousUser, annotation: Annotation) -> bool:
    """The question's author, or an instructor or TA of its seminar."""
    return question_may_be_resolved(
        question=annotation.kind == Kind.QUESTION,
        mine=is_author(user, annotation),
        teaches=can_teach(user, annotation.reading.seminar),
        status=annotation.status,
    )


def can_endorse(user: User | AnonymousUser, annotation: Annotation) -> bool:
    """An instructor or TA, on a reply in a question's thread."""
    in_question = annotation.thread_id is not None and annotation.thread.kind == Kind.QUESTION
    return reply_may_be_endorsed(
        in_question=in_question,
        teaches=can_teach(user, annotation.reading.seminar),
        status=annotation.status,
    )


def can_see_open_questions(user: User | AnonymousUser, seminar: Seminar) -> bool:
    """The "Open questions" page is the teaching staff's."""
    return can_teach(user, seminar)
