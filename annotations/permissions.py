"""Who may read and write annotations: one function per rule, shared by pages, the API, the
presenter, services, exports and notifications.

Each rule is written once, as a function of plain facts (`post_may_be_edited(mine=...,
status=...)`), so a list of 2,000 dict rows and one model instance are judged by the same
code; the `can_*(user, annotation)` functions gather those facts from model instances and ask
the same rule. Nothing else decides these questions: services check them and raise domain
errors (seminar/errors.py), the presenter calls them on its rows, views and the API ask them.

Visibility, the rule everything else stands on (docs/moderation.md says it for people):

- Seeing a post is decided by one QuerySet method, `Annotation.objects.visible_to(user)`:
  on a reading you can see, your own posts (in any status but a deleted one with no
  replies); published posts of the seminar; "instructors" threads if you teach or started
  them; and, for instructors and TAs, hidden and waiting posts (marked), never a private
  note. A deleted post with replies stays as a tombstone to keep its thread's shape.
- Hiding a post, or holding it for approval, conceals it and everything under it, at any
  depth, from everyone but its authors and the staff. What is concealed is a 404 to whoever
  may not see it: pages, API, search, exports, notifications.
- A reply's author keeps seeing their own reply under a concealed parent. The parent, and
  any concealed post between the reply and its thread's top, is shown to them as a
  placeholder ("Hidden by a moderator", or "Awaiting approval"): its place in the thread,
  never its text, author, tags or reason. The page and the API list show the same
  placeholders (`presenting.Presenter.present_all`); fetching the placeholder's post alone
  is still a 404.
- A notification stays in its recipient's list while they can see the post it is about or
  the post it answered (their own). What it shows, its excerpt and its link, is only what
  they may see now: a concealed post reads "hidden by a moderator" and the link opens the
  post they may see.
- Every status change made by a moderator, and an author's own delete of a hidden or
  waiting post, writes one ModerationEvent row: the audit log misses no step of a post.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotations.models import CONCEALED, AnchorStatus, Annotation, Status, Visibility
from seminar.models import STAFF_ROLES

# can_moderate lives in seminar.permissions (a role and a seminar setting); it is imported
# here so annotation code asks one module.
from seminar.permissions import (  # noqa: F401
    can_moderate,
    can_teach,
    can_view_reading,
    can_view_seminar,
    role_in,
    sees_names,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from seminar.models import Reading, Seminar, User

# The rules, on plain facts. `mine`: the person wrote the post; `takes_part`: they are a
# member who can see the reading; `status`: the post's own status.


def post_may_be_edited(*, mine: bool, status: str) -> bool:
    """Its author edits a published or waiting post; a hidden one stays as the moderator left
    it (edit after it is restored), and a deleted one is gone."""
    return mine and status in (Status.PUBLISHED, Status.PENDING)


def post_may_be_deleted(*, mine: bool, status: str) -> bool:
    """Its author may delete it in any status but deleted: a hidden post too (audited)."""
    return mine and status != Status.DELETED


def post_may_be_replied_to(*, takes_part: bool, mine: bool, status: str, locked: bool) -> bool:
    """A member replies to a published post, or to their own that is hidden or waiting, in a
    thread that is not locked (`locked`: the post's own lock or its thread's)."""
    if status == Status.DELETED or locked or not takes_part:
        return False
    return status == Status.PUBLISHED or mine


def post_may_be_flagged(*, takes_part: bool, mine: bool, status: str) -> bool:
    """A member reports someone else's published post to the moderators."""
    return takes_part and status == Status.PUBLISHED and not mine


def post_may_be_voted_on(*, takes_part: bool, mine: bool, status: str) -> bool:
    """A member marks someone else's published post as helpful."""
    return takes_part and status == Status.PUBLISHED and not mine


def post_may_be_reattached(
    *, has_passage: bool, status: str, mine: bool, instructor: bool, orphaned: bool
) -> bool:
    """The author may move their passage to new words; an instructor may re-attach an
    orphan, and only an orphan: a passage still in the text is its author's reading."""
    if not has_passage or status == Status.DELETED:
        return False
    return mine or (instructor and orphaned)


def post_may_be_moderated(*, moderator: bool, status: str) -> bool:
    """A moderator of the seminar acts on any post that is not deleted."""
    return moderator and status != Status.DELETED


def post_may_be_seen(
    *,
    mine: bool,
    teaches: bool,
    visibility: str,
    status: str,
    started_thread: bool,
    concealed_above: bool,
) -> bool:
    """Whether a member who can see the reading may see a post that is not deleted, on its
    facts (`teaches`: instructor or TA; `started_thread`: they wrote its thread's top;
    `concealed_above`: a post above it is hidden or waiting). `visible_to` is this rule as a
    query; this form judges a post not written yet: who a mention in the composer will reach
    (annotations/mentions.py). tests/annotations/test_mentions.py holds the two together."""
    if mine:
        return True
    if teaches:
        return visibility != Visibility.PRIVATE
    if status != Status.PUBLISHED or concealed_above:
        return False
    if visibility == Visibility.SEMINAR:
        return True
    return visibility == Visibility.INSTRUCTORS and started_thread


def question_may_be_resolved(*, question: bool, mine: bool, teaches: bool, status: str) -> bool:
    """A published question's author, or the seminar's instructors and TAs, say where it
    stands: open, answered, addressed in class (annotations/questions)."""
    return question and status == Status.PUBLISHED and (mine or teaches)


def reply_may_be_endorsed(*, in_question: bool, teaches: bool, status: str) -> bool:
    """Instructors and TAs endorse a published reply in a question's thread as its answer."""
    return in_question and teaches and status == Status.PUBLISHED


def is_concealed(status: str) -> bool:
    """Hidden or waiting: the post and what hangs under it are out of peers' sight."""
    return status in CONCEALED


# The same rules, for a person and a model instance.


def can_comment(user: User | AnonymousUser, reading: Reading) -> bool:
    """Any member who can see the reading may join its discussion."""
    return can_view_reading(user, reading)


def can_view_annotation(user: User | AnonymousUser, annotation: Annotation) -> bool:
    return Annotation.objects.visible_to(user).filter(pk=annotation.pk).exists()


def is_author(user: User | AnonymousUser, annotation: Annotation) -> bool:
    return user.is_authenticated and annotation.author_id == user.pk


def can_edit_annotation(user: User | AnonymousUser, annotation: Annotation) -> bool:
    return post_may_be_edited(mine=is_author(user, annotation), status=annotation.status)


def can_delete_annotation(user: User | AnonymousUser, annotation: Annotation) -> bool:
    return post_may_be_deleted(mine=is_author(user, annotation), status=annotation.status)


def can_reattach(user: User | AnonymousUser, annotation: Annotation) -> bool:
    return post_may_be_reattached(
        has_passage=annotation.start is not None,
        status=annotation.status,
        mine=is_author(user, annotation),
        instructor=role_in(user, annotation.reading.seminar) == "instructor",
        orphaned=annotation.anchor_status == AnchorStatus.ORPHANED,
    )


def thread_locked(annotation: Annotation) -> bool:
    """The post's own lock or its thread's: a moderator locks a thread at its top."""
    if annotation.locked:
        return True
    return bool(annotation.thread_id) and annotation.thread.locked


def can_reply(user: User | AnonymousUser, annotation: Annotation) -> bool:
    return post_may_be_replied_to(
        takes_part=can_comment(user, annotation.reading),
        mine=is_author(user, annotation),
        status=annotation.status,
        locked=thread_locked(annotation),
    )


def posts_need_approval(
    user: User | AnonymousUser, seminar: Seminar, *, visibility: str | None = None
) -> bool:
    """In a pre-moderated seminar, students' posts wait for a moderator. A private note does
    not: no moderator may read it, so holding it would only show it to one or strand it."""
    if visibility == Visibility.PRIVATE:
        return False
    return seminar.premoderation and role_in(user, seminar) not in STAFF_ROLES


def can_flag(user: User | AnonymousUser, annotation: Annotation) -> bool:
    return post_may_be_flagged(
        takes_part=can_comment(user, annotation.reading),
        mine=is_author(user, annotation),
        status=annotation.status,
    )


def can_vote(user: User | AnonymousUser, annotation: Annotation) -> bool:
    return post_may_be_voted_on(
        takes_part=can_comment(user, annotation.reading),
        mine=is_author(user, annotation),
        status=annotation.status,
    )


def can_moderate_annotation(user: User | AnonymousUser, annotation: Annotation) -> bool:
    return post_may_be_moderated(
        moderator=can_moderate(user, annotation.reading.seminar), status=annotation.status
    )


def shown_as_pseudonym(*, names_visible: bool, is_me: bool, role: str | None) -> bool:
    """Whether a person appears to a reader under their pseudonym: a student, to a reader
    who does not see names (`sees_names`), unless that reader is them."""
    return not (names_visible or is_me or role in STAFF_ROLES)
