"""Carrying a seminar to a new term (docs/instructors.md, "A new term from this seminar").

A new seminar is made from an old one in one transaction: its settings, its staff (the
instructors and TAs, never students), its groups' names (no members), its grading policy,
its readings with every revision of their text, and the posts of its staff that the
instructor chooses. Students' posts are never copied, nor anything that hangs on people
(votes, flags, scores, grades, notifications, the moderation record).

Which staff posts: top-level posts (on a passage or on the page) by an instructor or TA,
published, not private notes (a note is its author's alone), chosen by `PostChoice`: all of
them, the pinned ones, or the exemplars, a staff post tagged `exemplar`. A copied post takes
with it the staff replies under it, at any depth, as long as what they answer was copied too:
a student's reply and what hangs under it stay behind.

A copied post keeps its author, kind, text, tags, visibility, time and pin, and its passage
on the copied revision of the same text. A reading given a new edition (`editions`) then
takes it as a new revision, and the copied posts re-anchor onto it the way an edit does
(annotations.revisions.services), orphans keeping their quote. Copying costs the same number
of queries whatever the number of posts (bulk inserts, a level of a thread at a time).
"""

import datetime
import re
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models, transaction

from annotations.models import (
    AnchorStatus,
    Annotation,
    GradingPolicy,
    Kind,
    Resolution,
    Status,
    Visibility,
)
from annotations.rendering import CHIP, MENTION
from annotations.revisions.services import reading_revise_and_reanchor
from seminar.errors import NotPermitted, ServiceError
from seminar.models import (
    STAFF_ROLES,
    Group,
    Membership,
    PeerVisibility,
    Reading,
    ReadingRevision,
    ReadingStatus,
    Seminar,
    User,
)
from seminar.permissions import can_manage_seminar
from seminar.services import seminar_create
from seminar.textformats import ParsedReading

EXEMPLAR_TAG = "exemplar"
MAX_SHIFT_DAYS = 3660


class PostChoice(models.TextChoices):
    """Which of the staff's posts go to the new term: a post goes when it is any of those
    chosen (all of them; the pinned; the exemplars)."""

    STAFF = "staff", "All your and your TAs' posts"
    PINNED = "pinned", "Pinned posts"
    EXEMPLARS = "exemplars", "Exemplars"


@dataclass
class ReadingReport:
    """What one reading became: its copy, how many revisions and posts went with it, and
    where its passages stand, {anchored, moved, orphaned}, after any new edition."""

    title: str
    slug: str
    revisions: int
    posts: int
    new_edition: bool = False
    anchored: int = 0
    moved: int = 0
    orphaned: int = 0
    needs_due_date: bool = False


@dataclass
class CarryOverReport:
    source_slug: str
    source_title: str = ""
    source_term: str = ""
    staff: int = 0
    groups: int = 0
    policy: bool = False
    posts: int = 0
    readings: list[ReadingReport] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for the session between the POST and the result page."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CarryOverReport":
        data = dict(data)
        readings = [ReadingReport(**r) for r in data.pop("readings", [])]
        return cls(**data, readings=readings)


def _is_exemplar(tags: Any) -> bool:
    return any(isinstance(t, str) and t.casefold() == EXEMPLAR_TAG for t in tags or [])


def _chosen(post: Annotation, posts: Collection[str]) -> bool:
    return (
        PostChoice.STAFF in posts
        or (PostChoice.PINNED in posts and post.pinned)
        or (PostChoice.EXEMPLARS in posts and _is_exemplar(post.tags))
    )


def _copy_staff(seminar: Seminar, new: Seminar, by: User) -> dict[int, tuple[int, int]]:
    """The old seminar's instructors and TAs in the new one, with their roles; `by` is its
    instructor already (seminar_create). {old membership id: (user id, new membership id)}."""
    staff = list(
        Membership.objects.filter(seminar=seminar, role__in=STAFF_ROLES).values_list(
            "pk", "user_id", "role"
        )
    )
    made = Membership.objects.bulk_create(
        Membership(seminar=new, user_id=user_id, role=role)
        for _, user_id, role in staff
        if user_id != by.pk
    )
    mine = Membership.objects.filter(seminar=new, user=by).values_list("pk", flat=True).first()
    new_ids = {m.user_id: m.pk for m in made} | {by.pk: mine}
    return {pk: (user_id, new_ids[user_id]) for pk, user_id, _ in staff}


def _copy_policy(seminar: Seminar, new: Seminar) -> bool:
    policy = GradingPolicy.objects.filter(seminar=seminar).first()
    if policy is None:  # the default policy applies there as here
        return False
    policy.pk, policy.seminar = None, new
    policy.save(force_insert=True)
    return True


def _copy_readings(
    seminar: Seminar, new: Seminar, *, keep_status: bool, shift_days: int | None
) -> tuple[list[tuple[Reading, Reading]], dict[int, int], dict[int, int]]:
    """[(old, new) reading], {old revision id: new}, {new reading id: its revisions}."""
    old_readings = list(Reading.objects.filter(seminar=seminar).order_by("position", "id"))
    shift = datetime.timedelta(days=shift_days) if shift_days is not None else None
    copies = Reading.objects.bulk_create(
        Reading(
            seminar=new,
            title=r.title,
            slug=r.slug,
            byline=r.byline,
            date=r.date,
            due=r.due + shift if r.due and shift is not None else None,
            status=r.status if keep_status else ReadingStatus.DRAFT,
            position=r.position,
            peer_visibility=r.peer_visibility,
            discussion=r.discussion,
            created_by_id=r.created_by_id,
        )
        for r in old_readings
    )
    pairs = list(zip(old_readings, copies, strict=True))
    new_reading = {old.pk: copy.pk for old, copy in pairs}
    revisions = list(
        ReadingRevision.objects.filter(reading__seminar=seminar).order_by("reading_id", "number")
    )
    made = ReadingRevision.objects.bulk_create(
        ReadingRevision(
            reading_id=new_reading[r.reading_id],
            number=r.number,
            format=r.format,
            source=r.source,
            html=r.html,
            text=r.text,
            works_cited=r.works_cited,
            note=r.note,
            created_by_id=r.created_by_id,
        )
        for r in revisions
    )
    # bulk_create stamps `created` now (auto_now_add); the history keeps its own dates.
    for old, copy in zip(revisions, made, strict=True):
        copy.created = old.created
    ReadingRevision.objects.bulk_update(made, ["created"])
    revision_map = {old.pk: copy.pk for old, copy in zip(revisions, made, strict=True)}
    counts: dict[int, int] = {}
    for copy in made:
        counts[copy.reading_id] = counts.get(copy.reading_id, 0) + 1
    for old, copy in pairs:
        copy.current_revision_id = revision_map.get(old.current_revision_id)
    Reading.objects.bulk_update(copies, ["current_revision"])
    return pairs, revision_map, counts


def _remap_mentions(text: str, html: str, members: Mapping[int, int]) -> tuple[str, str]:
    """A staff member mentioned is named by their membership of the new seminar; anyone
    else stays as written, which the new seminar reads as a former member."""
    if "@[member:" not in text:
        return text, html

    def mention(m: re.Match[str]) -> str:
        return f"@[member:{members.get(int(m.group(1)), int(m.group(1)))}]"

    def chip(m: re.Match[str]) -> str:
        pk = members.get(int(m.group(1)), int(m.group(1)))
        return f'<span class="mention" data-member="{pk}"></span>'

    return MENTION.sub(mention, text), CHIP.sub(chip, html)


def _copy_posts(
    *,
    seminar: Seminar,
    posts: Collection[str],
    readings: Mapping[int, int],
    revisions: Mapping[int, int],
    staff: Mapping[int, tuple[int, int]],
) -> list[Annotation]:
    """The chosen staff posts and the staff replies under them, as new rows."""
    if not posts:
        return []
    staff_users = {user_id for user_id, _ in staff.values()}
    members = {old: new for old, (_, new) in staff.items()}
    candidates = list(
        Annotation.objects.filter(
            reading__seminar=seminar, author_id__in=staff_users, status=Status.PUBLISHED
        )
        .exclude(visibility=Visibility.PRIVATE)
        .order_by("created", "id")
    )
    mentioned = list(
        Annotation.mentions.through.objects.filter(
            annotation__in=[a.pk for a in candidates]
        ).values_list("annotation_id", "user_id")
    )
    children: dict[int, list[Annotation]] = {}
    for post in candidates:
        if post.parent_id is not None:
            children.setdefault(post.parent_id, []).append(post)
    level = [p for p in candidates if p.parent_id is None and _chosen(p, posts)]
    new_ids: dict[int, int] = {}
    copied: list[Annotation] = []
    while level:  # a level of the threads at a time: parents get their ids first
        rows = []
        for post in level:
            text, html = _remap_mentions(post.text, post.html, members)
            rows.append(
                Annotation(
                    reading_id=readings[post.reading_id],
                    revision_id=revisions.get(post.revision_id),
                    parent_id=new_ids.get(post.parent_id),
                    thread_id=new_ids.get(post.thread_id),
                    kind=post.kind,
                    author_id=post.author_id,
                    author_name=post.author_name,
                    text=text,
                    html=html,
                    tags=post.tags,
                    visibility=post.visibility,
                    quote_exact=post.quote_exact,
                    original_quote=post.original_quote,
                    quote_prefix=post.quote_prefix,
                    quote_suffix=post.quote_suffix,
                    start=post.start,
                    end=post.end,
                    anchored_revision_id=revisions.get(post.anchored_revision_id),
                    anchor_status=post.anchor_status,
                    pinned=post.pinned,
                    created=post.created,
                    edited=post.edited,
                    # A new class asks its own questions again.
                    resolution=Resolution.OPEN if post.kind == Kind.QUESTION else None,
                )
            )
        made = Annotation.objects.bulk_create(rows)
        for post, row in zip(level, made, strict=True):
            new_ids[post.pk] = row.pk
        copied.extend(made)
        level = [child for post in level for child in children.get(post.pk, [])]
    Annotation.mentions.through.objects.bulk_create(
        Annotation.mentions.through(annotation_id=new_ids[post_id], user_id=user_id)
        for post_id, user_id in mentioned
        if post_id in new_ids and user_id in staff_users
    )
    return copied


def _report_readings(
    pairs: list[tuple[Reading, Reading]],
    counts: Mapping[int, int],
    copied: list[Annotation],
) -> dict[int, ReadingReport]:
    reports = {
        copy.pk: ReadingReport(
            title=copy.title,
            slug=copy.slug,
            revisions=counts.get(copy.pk, 0),
            posts=0,
            needs_due_date=copy.peer_visibility == PeerVisibility.AFTER_DUE and copy.due is None,
        )
        for _, copy in pairs
    }
    for post in copied:
        report = reports[post.reading_id]
        report.posts += 1
        if post.start is None:
            continue
        if post.anchor_status == AnchorStatus.ORPHANED:
            report.orphaned += 1
        else:  # the same text: every passage stays where it was
            report.anchored += 1
    return reports


@transaction.atomic
def seminar_carry_over(
    *,
    seminar: Seminar,
    by: User,
    title: str,
    term: str,
    posts: Collection[str] = (),
    keep_status: bool = False,
    shift_days: int | None = None,
    editions: Mapping[int, ParsedReading] | None = None,
) -> tuple[Seminar, CarryOverReport]:
    """A new seminar from `seminar` for another term (this module's docstring says what goes
    with it). `posts`: PostChoice values; `keep_status`: readings keep their status, else
    they are drafts; `shift_days`: due dates move by so many days, else they are cleared;
    `editions`: {old reading id: a parsed new edition of its text}."""
    if not can_manage_seminar(by, seminar):
        raise NotPermitted("Only an instructor of the seminar can carry it to a new term.")
    title = (title or "").strip()
    if not title:
        raise ServiceError("Give the new seminar a title.")
    unknown = set(posts) - set(PostChoice.values)
    if unknown:
        raise ServiceError(f"Unknown choice of posts: {', '.join(sorted(unknown))}.")
    if shift_days is not None and abs(shift_days) > MAX_SHIFT_DAYS:
        raise ServiceError(f"Shift due dates by at most {MAX_SHIFT_DAYS} days.")
    editions = editions or {}
    new = seminar_create(
        title=title[:200],
        term=(term or "").strip()[:100],
        creator=by,
        description=seminar.description,
        anonymous_peers=seminar.anonymous_peers,
        premoderation=seminar.premoderation,
        tas_moderate=seminar.tas_moderate,
    )
    report = CarryOverReport(
        source_slug=seminar.slug, source_title=seminar.title, source_term=seminar.term
    )
    staff = _copy_staff(seminar, new, by)
    report.staff = len(staff)
    groups = Group.objects.bulk_create(
        Group(seminar=new, name=name)
        for name in Group.objects.filter(seminar=seminar).values_list("name", flat=True)
    )
    report.groups = len(groups)
    report.policy = _copy_policy(seminar, new)
    pairs, revisions, counts = _copy_readings(
        seminar, new, keep_status=keep_status, shift_days=shift_days
    )
    copied = _copy_posts(
        seminar=seminar,
        posts=posts,
        readings={old.pk: copy.pk for old, copy in pairs},
        revisions=revisions,
        staff=staff,
    )
    report.posts = len(copied)
    by_reading = _report_readings(pairs, counts, copied)
    for old, copy in pairs:
        edition = editions.get(old.pk)
        reading_report = by_reading[copy.pk]
        if edition is not None:
            copy.seminar = new
            revision, summary = reading_revise_and_reanchor(
                reading=copy,
                editor=by,
                source=edition.source,
                format=edition.format,
                note="New edition for the new term",
            )
            if revision is not None and summary is not None:
                reading_report.new_edition = True
                reading_report.revisions += 1
                reading_report.anchored = summary.anchored
                reading_report.moved = summary.moved
                reading_report.orphaned = summary.orphaned
        report.readings.append(reading_report)
    return new, report
