"""Write paths of the seminar domain. Keyword-only, one transaction each.

Services raise `ServiceError` with a message a person can act on; views show it next to the
form and the API returns it as a 400.
"""

import datetime
from collections.abc import Container

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from seminar import textformats
from seminar.errors import ServiceError
from seminar.models import (
    STAFF_ROLES,
    Discussion,
    Membership,
    PeerVisibility,
    Reading,
    ReadingRevision,
    ReadingStatus,
    ReadingVisit,
    Role,
    Seminar,
    User,
    new_invite_token,
    new_join_code,
)
from seminar.pseudonyms import pseudonym_assign
from seminar.textblocks import Rendered


def unique_slug(text: str, *, taken: Container[str], fallback: str) -> str:
    base = slugify(text)[:60].strip("-") or fallback
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def seminar_create(
    *,
    title: str,
    creator: User,
    term: str = "",
    description: str = "",
    anonymous_peers: bool = False,
    premoderation: bool = False,
    tas_moderate: bool = True,
) -> Seminar:
    taken = set(Seminar.objects.values_list("slug", flat=True))
    seminar = Seminar.objects.create(
        title=title,
        term=term,
        description=description,
        anonymous_peers=anonymous_peers,
        premoderation=premoderation,
        tas_moderate=tas_moderate,
        slug=unique_slug(f"{title} {term}", taken=taken, fallback="seminar"),
        created_by=creator,
    )
    Membership.objects.create(seminar=seminar, user=creator, role=Role.INSTRUCTOR)
    return seminar


@transaction.atomic
def seminar_update(
    *,
    seminar: Seminar,
    title: str,
    term: str = "",
    description: str = "",
    anonymous_peers: bool = False,
    premoderation: bool = False,
    tas_moderate: bool = True,
) -> Seminar:
    seminar.title, seminar.term, seminar.description = title, term, description
    seminar.anonymous_peers = anonymous_peers
    seminar.premoderation, seminar.tas_moderate = premoderation, tas_moderate
    seminar.save(
        update_fields=[
            "title",
            "term",
            "description",
            "anonymous_peers",
            "premoderation",
            "tas_moderate",
            "updated",
        ]
    )
    return seminar


@transaction.atomic
def seminar_regenerate_codes(*, seminar: Seminar) -> Seminar:
    """New join code and invite link; the old ones stop working at once."""
    seminar.join_code = new_join_code()
    seminar.invite_token = new_invite_token()
    seminar.save(update_fields=["join_code", "invite_token", "updated"])
    return seminar


def _with_pseudonym(membership: Membership) -> Membership:
    # Stored on arrival so that it never changes while the student belongs to the seminar.
    if membership.role == Role.STUDENT and not membership.pseudonym:
        pseudonym_assign(seminar=membership.seminar)
        membership.refresh_from_db(fields=["pseudonym"])
    return membership


def _join(*, user: User, seminar: Seminar) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        seminar=seminar, user=user, defaults={"role": Role.STUDENT}
    )
    return _with_pseudonym(membership)


@transaction.atomic
def membership_join_by_code(*, user: User, code: str) -> Membership:
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    seminar = Seminar.objects.filter(join_code=code).first() if code else None
    if seminar is None:
        raise ServiceError(
            "No seminar has that join code. Check it with your instructor: codes can be "
            "regenerated, which makes old ones stop working."
        )
    return _join(user=user, seminar=seminar)


@transaction.atomic
def membership_join_by_invite(*, user: User, token: str) -> Membership:
    seminar = Seminar.objects.filter(invite_token=token).first() if token else None
    if seminar is None:
        raise ServiceError(
            "This invite link is not valid any more. Ask your instructor for a new one."
        )
    return _join(user=user, seminar=seminar)


@transaction.atomic
def membership_add(*, seminar: Seminar, who: str, role: str) -> Membership:
    """Add an existing account, found by username or email, with a role."""
    who = (who or "").strip()
    user = (
        User.objects.filter(username__iexact=who).first()
        or User.objects.filter(email__iexact=who).first()
        if who
        else None
    )
    if user is None:
        raise ServiceError(
            f"No account has the username or email “{who}”. Ask them to sign up first, "
            "or share the invite link."
        )
    membership, created = Membership.objects.get_or_create(
        seminar=seminar, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        return membership_set_role(membership=membership, role=role)
    return _with_pseudonym(membership)


def _instructor_count(seminar: Seminar) -> int:
    return Membership.objects.filter(seminar=seminar, role=Role.INSTRUCTOR).count()


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if (
        membership.role == Role.INSTRUCTOR
        and role != Role.INSTRUCTOR
        and _instructor_count(membership.seminar) == 1
    ):
        raise ServiceError("A seminar needs at least one instructor.")
    membership.role = role
    if role in STAFF_ROLES:
        membership.group = None  # groups are of students (seminar/groups.py)
    membership.save(update_fields=["role", "group"])
    return _with_pseudonym(membership)


@transaction.atomic
def membership_remove(*, membership: Membership, by: User | None = None) -> None:
    """Take a member off the roster; `by`, the person doing it, may not remove themselves."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if by is not None and membership.user_id == by.pk:
        raise ServiceError("You cannot remove yourself from the seminar.")
    if membership.role == Role.INSTRUCTOR and _instructor_count(membership.seminar) == 1:
        raise ServiceError("A seminar needs at least one instructor.")
    membership.delete()


def peer_visibility_problem(value: str, due: datetime.datetime | None) -> str | None:
    """What is wrong with holding classmates' posts back by `value` on a reading due `due`
    (Reading.peer_visibility), said as what to fix; None if nothing."""
    if value not in PeerVisibility.values:
        return f"peer_visibility must be one of: {', '.join(PeerVisibility.values)}."
    if value == PeerVisibility.AFTER_DUE and due is None:
        return (
            "Set the discussion's due date: with “after the due date”, students see "
            "classmates' posts once it has passed."
        )
    return None


def _next_position(seminar: Seminar) -> int:
    top = Reading.objects.filter(seminar=seminar).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def reading_create(
    *,
    seminar: Seminar,
    creator: User,
    title: str,
    rendered: Rendered,
    source: str,
    format: str,
    byline: str = "",
    date: datetime.date | None = None,
    due: datetime.datetime | None = None,
    status: str = ReadingStatus.DRAFT,
    peer_visibility: str = PeerVisibility.ALWAYS,
    discussion: str = Discussion.CLASS,
) -> Reading:
    """A reading with its first revision, from text already parsed by textformats."""
    title = (title or "").strip()
    if not title:
        raise ServiceError("Give the reading a title.")
    if problem := peer_visibility_problem(peer_visibility, due):
        raise ServiceError(problem)
    if discussion not in Discussion.values:
        raise ServiceError(f"discussion must be one of: {', '.join(Discussion.values)}.")
    taken = set(Reading.objects.filter(seminar=seminar).values_list("slug", flat=True))
    reading = Reading.objects.create(
        seminar=seminar,
        title=title[:300],
        slug=unique_slug(title, taken=taken, fallback="reading"),
        byline=byline[:300],
        date=date,
        due=due,
        status=status,
        peer_visibility=peer_visibility,
        discussion=discussion,
        position=_next_position(seminar),
        created_by=creator,
    )
    _add_revision(reading=reading, editor=creator, source=source, format=format, rendered=rendered)
    return reading


def _add_revision(
    *,
    reading: Reading,
    editor: User,
    source: str,
    format: str,
    rendered: Rendered,
    note: str = "",
) -> ReadingRevision:
    last = reading.revisions.aggregate(top=Max("number"))["top"] or 0
    try:
        revision = ReadingRevision.objects.create(
            reading=reading,
            number=last + 1,
            format=format,
            source=source,
            html=rendered.html,
            text=rendered.text,
            works_cited=list(rendered.works_cited),
            note=note,
            created_by=editor,
        )
    except IntegrityError as exc:  # two editors saving at once
        raise ServiceError(
            "Someone else saved this reading at the same moment. Try again."
        ) from exc
    reading.current_revision = revision
    reading.save(update_fields=["current_revision", "updated"])
    return revision


@transaction.atomic
def reading_update(
    *,
    reading: Reading,
    title: str,
    byline: str = "",
    date: datetime.date | None = None,
    due: datetime.datetime | None = None,
    status: str,
) -> Reading:
    title = (title or "").strip()
    if not title:
        raise ServiceError("Give the reading a title.")
    if problem := peer_visibility_problem(reading.peer_visibility, due):
        raise ServiceError(problem)
    reading.title, reading.byline, reading.date, reading.due, reading.status = (
        title,
        byline,
        date,
        due,
        status,
    )
    reading.save(update_fields=["title", "byline", "date", "due", "status", "updated"])
    return reading


def _same_line_ends(source: str) -> str:
    return source.replace("\r\n", "\n").replace("\r", "\n")


def reading_text_changed(*, reading: Reading, source: str, format: str) -> bool:
    """Whether saving this text would make a new revision.

    A browser posts a textarea with CRLF line ends and the form strips the ends: the text
    shown in the edit box and sent back unchanged is the same text."""
    current = reading.current_revision
    if current is None or current.format != format:
        return True
    return _same_line_ends(source).strip() != _same_line_ends(current.source).strip()


@transaction.atomic
def reading_revise(
    *, reading: Reading, editor: User, source: str, format: str, note: str = ""
) -> ReadingRevision | None:
    """A new immutable revision when the text changed; None when it did not.

    Re-anchoring annotations is added by the annotations app around this call, in the same
    transaction (DESIGN.md: seminar never imports annotations).
    """
    if not reading_text_changed(reading=reading, source=source, format=format):
        return None
    try:
        rendered = textformats.render_body(source, format=format)
    except textformats.TextFormatError as exc:
        raise ServiceError(str(exc)) from exc
    return _add_revision(
        reading=reading, editor=editor, source=source, format=format, rendered=rendered, note=note
    )


@transaction.atomic
def reading_move(*, reading: Reading, offset: int) -> Reading:
    """Move a reading up (offset -1) or down (+1) in its seminar's order."""
    readings = list(Reading.objects.select_for_update().filter(seminar=reading.seminar_id))
    index = next(i for i, r in enumerate(readings) if r.pk == reading.pk)
    target = index + offset
    if not 0 <= target < len(readings):
        return reading
    readings.insert(target, readings.pop(index))
    for position, item in enumerate(readings):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    return reading


def reading_visit_record(*, user: User, reading: Reading) -> None:
    """Remember that `user` opened `reading` now: one upsert, whoever opens it at once."""
    ReadingVisit.objects.bulk_create(
        [ReadingVisit(user=user, reading=reading, seen=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "reading"],
        update_fields=["seen"],
    )
