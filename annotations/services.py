"""Write paths for annotations, replies and helpful marks. Keyword-only, one transaction each.

Every function checks the rules of annotations/permissions.py (never its own version of
them) and raises a domain error of seminar/errors.py with a message a person can act on:
`ServiceError` (400, a form error on pages), `Conflict` (409), `NotPermitted` (403). Nothing is
saved when one is raised.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from annotations import anchoring
from annotations.mentions import mentioned_users
from annotations.models import (
    CONCEALED,
    PASSAGE_KINDS,
    Action,
    AnchorStatus,
    Annotation,
    Kind,
    ModerationEvent,
    Resolution,
    Status,
    Visibility,
    Vote,
)
from annotations.notifications.services import notify_mentions, notify_reply
from annotations.permissions import (
    can_comment,
    post_may_be_deleted,
    post_may_be_edited,
    post_may_be_reattached,
    post_may_be_replied_to,
    post_may_be_voted_on,
    posts_need_approval,
    role_in,
)
from annotations.rendering import MAX_TEXT_CHARS, mentioned_ids, render_markdown
from seminar.errors import Conflict, DomainError, NotFound, NotPermitted, ServiceError
from seminar.models import Reading, ReadingRevision

if TYPE_CHECKING:
    from datetime import datetime

    from django.db.models import QuerySet, TextChoices

    from seminar.models import User

MAX_TAGS = 10
MAX_TAG_CHARS = 40
TOP_KINDS = (*PASSAGE_KINDS, Kind.COMMENT)


def clean_text(text: str | None) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise ServiceError("Write something before posting.")
    if len(text) > MAX_TEXT_CHARS:
        raise ServiceError(
            f"That is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}. Shorten it or "
            "split it into replies."
        )
    return text


def clean_tags(tags: Iterable[Any] | None) -> list[str]:
    cleaned, seen = [], set()
    for tag in tags or []:
        if not isinstance(tag, str):
            raise ServiceError("Tags must be words or short phrases.")
        tag = " ".join(tag.split()).lstrip("#")
        if not tag:
            continue
        if len(tag) > MAX_TAG_CHARS:
            raise ServiceError(f"The tag “{tag[:20]}…” is longer than {MAX_TAG_CHARS} characters.")
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ServiceError(f"Use at most {MAX_TAGS} tags.")
    return cleaned


def clean_choice(value: str, choices: type[TextChoices], what: str) -> str:
    values = [c.value for c in choices]
    if value not in values:
        raise ServiceError(f"Unknown {what} “{value}”: use one of {', '.join(values)}.")
    return value


def _existing(author: User | None, client_id: str) -> Annotation | None:
    if author is None or not client_id:
        return None
    return Annotation.objects.filter(author=author, client_id=client_id).first()


def _once(write: Callable[..., tuple[Annotation, bool]]) -> Callable[..., tuple[Annotation, bool]]:
    """`write` (a keyword-only service that saves a new post: (post, True)) in one
    transaction, where a repeated `client_id` of the same author returns (the first post,
    False) instead: a retry of a request that was saved, even one refused now, or one racing
    its first attempt, for which the unique (author, client_id) decides. Asked only when the
    write fails, not before every write; and the insert needs no savepoint of its own, since
    a duplicate rolls the whole transaction back before the first post is read."""
    atomic_write = transaction.atomic(write)

    @functools.wraps(write)
    def once(**kwargs: Any) -> tuple[Annotation, bool]:
        try:
            return atomic_write(**kwargs)
        except (DomainError, IntegrityError):
            client_id = (kwargs.get("client_id") or "")[:64]
            if first := _existing(kwargs.get("author"), client_id):
                return first, False
            raise

    return once


@_once
def annotation_create(
    *,
    reading: Reading,
    author: User | None,
    kind: str,
    text: str,
    tags: Iterable[str] = (),
    visibility: str = Visibility.SEMINAR,
    quote: dict[str, Any] | None = None,
    client_id: str = "",
    author_name: str = "",
    created: datetime | None = None,
) -> tuple[Annotation, bool]:
    """A top-level post: a passage annotation when `quote` is given, else a page comment.

    `quote` is a dict with `exact` and optional `prefix`, `suffix`, `start`, `end` against the
    reading's current revision. Returns (annotation, created); a repeated `client_id` of the
    same author returns the first annotation and created=False. Members it mentions
    (annotations/mentions.py) are told, if they may see it.
    """
    client_id = (client_id or "")[:64]
    kind = clean_choice(kind, Kind, "kind")
    if kind not in TOP_KINDS:
        raise ServiceError("A reply is posted to an annotation: use its replies endpoint.")
    if quote is None and kind != Kind.COMMENT:
        raise ServiceError(f"A {kind} is about a passage: select the words it is about.")
    if quote is not None and kind == Kind.COMMENT:
        raise ServiceError("A page comment has no passage; choose a kind such as critique.")
    annotation = Annotation(
        reading=reading,
        kind=kind,
        author=author,
        author_name=author_name,
        text=clean_text(text),
        tags=clean_tags(tags),
        visibility=clean_choice(visibility, Visibility, "visibility"),
        client_id=client_id,
        created=created or timezone.now(),
        resolution=Resolution.OPEN if kind == Kind.QUESTION else None,  # questions/ closes it
    )
    if author is not None and posts_need_approval(
        author, reading.seminar, visibility=annotation.visibility
    ):
        annotation.status = Status.PENDING
    annotation.html = render_markdown(annotation.text)
    # The text it is written on, once the rest is ready: an edit waits for as little as can be.
    annotation.revision_id, text = _lock_current_text(reading, text=quote is not None)
    if quote is not None:
        _place(annotation, annotation.revision_id, text, quote)
        annotation.original_quote = annotation.quote_exact
    mentioned = mentioned_users(text=annotation.text, seminar=reading.seminar)
    annotation.save()
    if mentioned:
        annotation.mentions.set(mentioned)
        notify_mentions(annotation=annotation, mentioned=mentioned)
    return annotation, True


def _lock_current_text(reading: Reading, *, text: bool = True) -> tuple[int | None, str | None]:
    """The reading's current revision and (if `text`) its text, read afresh and held for
    this transaction: an edit that committed after the caller loaded the reading must not
    leave a passage on the old text, never to be re-anchored. A key-share lock on the
    reading's row (PostgreSQL; Django says only FOR UPDATE, which would make each writer
    wait for the one before): writers of one reading do not wait for each other, while an
    edit (revisions.reading_revise_and_reanchor) locks the row FOR UPDATE, so it waits for
    the writers holding it and they wait for it. SQLite has no row locks and needs none: its
    writers take turns (transaction_mode IMMEDIATE, config/settings.py). One query, so the
    request need not load the text before it."""
    quote = connection.ops.quote_name
    readings, revisions = quote(Reading._meta.db_table), quote(ReadingRevision._meta.db_table)
    current = f"r.{quote('current_revision_id')}"
    words = f"v.{quote('id')}, v.{quote('text')}" if text else "NULL, NULL"
    # Only quoted names from the models' own metadata are formatted in; the id is a param.
    sql = (
        f"SELECT {current}, {words} "  # noqa: S608
        f"FROM {readings} r LEFT JOIN {revisions} v ON v.{quote('id')} = {current} "
        f"WHERE r.{quote('id')} = %s"
    )
    if connection.vendor == "postgresql":
        sql += " FOR KEY SHARE OF r"
    with connection.cursor() as cursor:
        cursor.execute(sql, [reading.pk])
        found = cursor.fetchone()
    if found is None:
        raise NotFound("This reading is gone.")
    revision_id, joined, words = found
    if text and joined != revision_id and revision_id is not None:
        # The lock waited for an edit: PostgreSQL hands back the reading's new row, but the
        # join still sees the revisions as they were when the query began. Read it again.
        words = ReadingRevision.objects.filter(pk=revision_id).values_list("text", flat=True)[0]
    reading.current_revision_id = revision_id  # what the caller loaded may be older
    return revision_id, words


def _place(
    annotation: Annotation, revision_id: int | None, text: str | None, quote: dict[str, Any]
) -> None:
    if revision_id is None or text is None:
        raise ServiceError("This reading has no text yet to select words in.")
    start, end = quote.get("start"), quote.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        # A position outside the text (another copy of it, a client's miscount) says nothing
        # about where the words are: the quote and its context find them, or say why not.
        start = end = None
    try:
        anchor = anchoring.locate(
            text,
            exact=quote.get("exact") or "",
            prefix=quote.get("prefix") or "",
            suffix=quote.get("suffix") or "",
            start=start,
            end=end,
        )
    except anchoring.AnchorError as exc:
        raise ServiceError(str(exc)) from exc
    annotation.anchored_revision_id = revision_id
    annotation.quote_exact, annotation.quote_prefix, annotation.quote_suffix = (
        anchor.exact,
        anchor.prefix,
        anchor.suffix,
    )
    annotation.start, annotation.end = anchor.start, anchor.end
    annotation.anchor_status = AnchorStatus.ANCHORED


@_once
def reply_create(
    *, parent: Annotation, author: User, text: str, client_id: str = ""
) -> tuple[Annotation, bool]:
    """A reply in parent's thread; it takes the thread's visibility. Returns (reply, created)."""
    client_id = (client_id or "")[:64]
    # The parent's and the thread's status, lock and visibility, read afresh and share-locked
    # (FOR SHARE on PostgreSQL): a moderator locking or hiding them now (FOR UPDATE) is not
    # raced past, and replies to one thread do not wait for each other.
    root_id = parent.thread_id or parent.pk
    fresh = {
        pk: (status, bool(locked), visibility)
        for pk, status, locked, visibility in _shared(
            Annotation.objects.filter(pk__in={parent.pk, root_id})
            .order_by()
            .values_list("pk", "status", "locked", "visibility")
        )
    }
    if parent.pk not in fresh:
        raise NotFound("This post is gone.")
    parent.status, parent.locked, parent.visibility = fresh[parent.pk]
    root_locked = fresh.get(root_id, fresh[parent.pk])[1]
    if not post_may_be_replied_to(
        takes_part=can_comment(author, parent.reading),
        mine=parent.author_id == author.pk,
        status=parent.status,
        locked=parent.locked or root_locked,
    ):
        raise _no_reply(parent, author, root_locked)
    reply = Annotation(
        reading=parent.reading,
        revision_id=parent.reading.current_revision_id,
        parent=parent,
        thread_id=parent.thread_id or parent.pk,
        kind=Kind.REPLY,
        author=author,
        text=clean_text(text),
        visibility=parent.visibility,
        client_id=client_id,
    )
    if posts_need_approval(author, parent.reading.seminar, visibility=reply.visibility):
        reply.status = Status.PENDING
    mentioned = mentioned_users(text=reply.text, seminar=parent.reading.seminar)
    reply.html = render_markdown(reply.text)
    reply.save()
    notify_reply(reply=reply)
    if mentioned:
        reply.mentions.set(mentioned)
        notify_mentions(annotation=reply, mentioned=mentioned)
    return reply, True


def _shared(queryset: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` query on one table, share-locked until this transaction
    ends on PostgreSQL (`FOR SHARE`: Django says only FOR UPDATE, which would make each
    writer wait for the one before). Share locks do not wait for each other, only for a FOR
    UPDATE, which waits for them in turn. SQLite has no row locks: its writers take turns."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    if connection.vendor == "postgresql":
        sql = f"{sql} FOR SHARE"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _no_reply(parent: Annotation, author: User, root_locked: bool) -> ServiceError | NotPermitted:
    """Why `post_may_be_replied_to` said no, in words."""
    if not can_comment(author, parent.reading):
        return NotPermitted("Only members of the seminar can reply.")
    if parent.status == Status.DELETED:
        return ServiceError("This post was deleted; reply to another post in the thread.")
    if parent.locked or root_locked:
        return ServiceError("This thread is locked: it takes no new replies.")
    return ServiceError(
        "This post takes no replies while it is hidden or awaiting approval; reply to "
        "another post in the thread."
    )


def _author_check(annotation: Annotation, actor: User | None) -> None:
    """`actor=None`: a trusted caller acting for the author (commands, imports, tests)."""
    if actor is not None and annotation.author_id != actor.pk:
        raise NotPermitted("Only its author can do that to a post.")


def _locked(annotation: Annotation) -> Annotation:
    """The post again, row-locked for this transaction: two edits or deletes take turns."""
    return (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("reading__seminar", "author")
        .get(pk=annotation.pk)
    )


@transaction.atomic
def annotation_update(
    *,
    annotation: Annotation,
    editor: User | None = None,
    text: str | None = None,
    kind: str | None = None,
    tags: Iterable[str] | None = None,
    visibility: str | None = None,
) -> Annotation:
    """The author's edit (`editor`: who asks). Changing a thread's visibility changes its
    replies' too. Mentions follow the text; whoever it now reaches and was not told is told."""
    annotation = _locked(annotation)
    _author_check(annotation, editor)
    if not post_may_be_edited(mine=True, status=annotation.status):
        if annotation.status == Status.HIDDEN:
            raise ServiceError("A moderator hid this post; it cannot be edited while hidden.")
        raise ServiceError("This post was deleted and cannot be edited.")
    changed = []
    mentioned = None
    if text is not None and clean_text(text) != annotation.text:
        mentioned = mentioned_users(
            text=clean_text(text),
            seminar=annotation.reading.seminar,
            kept=mentioned_ids(annotation.text),
        )
        annotation.text = clean_text(text)
        annotation.html = render_markdown(annotation.text)
        changed += ["text", "html"]
    if kind is not None and kind != annotation.kind:
        clean_choice(kind, Kind, "kind")
        allowed = PASSAGE_KINDS if annotation.has_passage else ()
        if kind not in allowed:
            raise ServiceError(
                "Only an annotation on a passage can change its kind, among "
                f"{', '.join(PASSAGE_KINDS)}."
            )
        annotation.kind = kind
        # A post that becomes a question starts open; one that stops being one has no state.
        annotation.resolution = Resolution.OPEN if kind == Kind.QUESTION else None
        annotation.resolution_note, annotation.resolved_by, annotation.resolved_at = "", None, None
        changed += ["kind", "resolution", "resolution_note", "resolved_by", "resolved_at"]
    if tags is not None and clean_tags(tags) != annotation.tags:
        annotation.tags = clean_tags(tags)
        changed.append("tags")
    if visibility is not None and visibility != annotation.visibility:
        clean_choice(visibility, Visibility, "visibility")
        if annotation.parent_id:
            raise ServiceError("A reply takes its thread's visibility; change it at the top.")
        annotation.visibility = visibility
        changed.append("visibility")
        Annotation.objects.filter(thread=annotation).update(visibility=visibility)
    if changed and posts_need_approval(
        annotation.author, annotation.reading.seminar, visibility=annotation.visibility
    ):
        # An approved post that changes goes back for approval.
        annotation.status = Status.PENDING
        changed.append("status")
    if changed:
        annotation.edited = timezone.now()
        annotation.save(update_fields=[*changed, "edited", "updated"])
        if mentioned is not None:
            annotation.mentions.set(mentioned)
        notify_mentions(annotation=annotation, mentioned=annotation.mentions.all())
    return annotation


@transaction.atomic
def annotation_reattach(
    *, annotation: Annotation, quote: dict[str, Any], actor: User | None = None
) -> Annotation:
    """Put an annotation (an orphan, usually) on a newly selected passage of the current
    text. `actor`: who asks (its author, or an instructor for an orphan)."""
    annotation = (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("reading__seminar")
        .get(pk=annotation.pk)
    )
    mine = actor is None or annotation.author_id == actor.pk
    instructor = actor is not None and role_in(actor, annotation.reading.seminar) == "instructor"
    if not post_may_be_reattached(
        has_passage=annotation.start is not None,
        status=annotation.status,
        mine=mine,
        instructor=instructor,
        orphaned=annotation.anchor_status == AnchorStatus.ORPHANED,
    ):
        if annotation.start is None:
            raise ServiceError("Only an annotation on a passage can be re-attached.")
        if annotation.status == Status.DELETED:
            raise ServiceError("This post was deleted.")
        raise NotPermitted("Only its author, or an instructor for an orphan, can move it.")
    _place(annotation, *_lock_current_text(annotation.reading), quote)
    annotation.save(
        update_fields=[
            "anchored_revision",
            "quote_exact",
            "quote_prefix",
            "quote_suffix",
            "start",
            "end",
            "anchor_status",
            "updated",
        ]
    )
    return annotation


@transaction.atomic
def annotation_delete(*, annotation: Annotation, actor: User | None = None) -> Annotation:
    """The author's soft delete (`actor`: who asks): the row stays (evidence), shown as a
    tombstone while it has replies. A hidden or waiting post leaves moderation's hands by
    it, so the audit log records it, with the author as the one who acted."""
    annotation = _locked(annotation)
    _author_check(annotation, actor)
    if not post_may_be_deleted(mine=True, status=annotation.status):
        raise Conflict("This post was already deleted.")
    before = annotation.status
    annotation.status = Status.DELETED
    annotation.save(update_fields=["status", "updated"])
    if before in CONCEALED and annotation.author_id:
        moderation_event_write(
            annotation=annotation,
            actor=annotation.author,
            action=Action.DELETE,
            reason=DELETED_BY_AUTHOR,
            before=before,
        )
    return annotation


DELETED_BY_AUTHOR = "Deleted by its author"


def moderation_event_write(
    *, annotation: Annotation, actor: User, action: str, reason: str, before: str
) -> ModerationEvent:
    """The one writer of the audit log: one append-only ModerationEvent for one change of a
    post, naming who acted as they are named now. `annotation_moderate`
    (annotations/moderation/services.py) and the author's own delete of a concealed post
    both come through here; it lives in the core so both layers can reach it."""
    return ModerationEvent.objects.create(
        seminar=annotation.reading.seminar,
        annotation=annotation,
        moderator=actor,
        moderator_name=actor.name,
        moderator_username=actor.username,
        action=action,
        reason=reason,
        from_status=before,
        to_status=annotation.status,
    )


def vote_count(annotation: Annotation) -> int:
    return Vote.objects.filter(annotation=annotation).count()


@transaction.atomic
def vote_add(*, annotation: Annotation, user: User) -> int:
    mine = annotation.author_id == user.pk
    takes_part = can_comment(user, annotation.reading)
    if not post_may_be_voted_on(takes_part=takes_part, mine=mine, status=annotation.status):
        if not takes_part:
            raise NotPermitted("Only members of the seminar can mark posts as helpful.")
        if mine:
            raise ServiceError("You cannot mark your own post as helpful.")
        raise ServiceError("Only a published post can be marked as helpful.")
    # One statement, and a second mark by the same person is no error (one_vote_per_person).
    Vote.objects.bulk_create([Vote(annotation=annotation, user=user)], ignore_conflicts=True)
    return vote_count(annotation)


@transaction.atomic
def vote_remove(*, annotation: Annotation, user: User) -> int:
    Vote.objects.filter(annotation=annotation, user=user).delete()
    return vote_count(annotation)


def comment_create(
    *,
    reading: Reading,
    author: User | None,
    text: str,
    author_name: str = "",
    created: datetime | None = None,
) -> Annotation:
    """A page-level comment: the numbered discussion under the reading."""
    comment, _ = annotation_create(
        reading=reading,
        author=author,
        kind=Kind.COMMENT,
        text=text,
        author_name=author_name,
        created=created,
    )
    return comment
