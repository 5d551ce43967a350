"""Restoring a seminar archive as a new seminar: everything, in one transaction, or nothing.

First the archive is checked, before anything is written (`reader`: a ZIP, a manifest of a
format and version this code reads, every listed file present with its SHA-256, no unlisted
file). Then `seminar_restore` recreates the rows as data.json's records stream by, a batch at
a time:

* the seminar gets a new slug if its own is taken, and always a new join code, invite link
  and pseudonym secret. Members keep the pseudonyms the archive names them by, so students
  appear under the same names; students of a version 1 archive, which has none, and former
  members, who have no membership to keep one on, get new ones;
* people are matched by email (case-insensitive) to existing accounts; anyone else gets a new
  inactive account with an unusable password (an admin activates it, or they reset it);
* readings, revisions, annotations (with their threads), helpful marks, flags, moderation
  events (with the moderator's name as recorded), the grading policy, scores, grades and
  releases are recreated with their timestamps. Fields Django fills in itself (`auto_now`,
  `auto_now_add`) are set back to the archive's values with UPDATEs after insertion;
  moderation events, which may never be updated, are inserted once with their own time
  (`save_base(raw=True)`, the fixture loader's way of saving a row exactly as given);
* a `client_id` (a retry key) that the matched person already uses elsewhere is dropped;
* a mention ("@[user:<username>]" in data.json) names the member's new membership again, and
  the post's HTML is rendered anew from its text, so it holds no name.

Anything wrong, down to the last record, raises `RestoreError` with a sentence that says
what, and the transaction saves nothing.
"""

import datetime
import itertools
import os
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from typing import IO, Any

from django.db import DataError, IntegrityError, connection, models, transaction
from django.utils.dateparse import parse_date, parse_datetime

from annotations.export import datafile, reader
from annotations.export.reader import RestoreError
from annotations.models import (
    Action,
    AnchorStatus,
    Annotation,
    Flag,
    FlagReason,
    Grade,
    GradeRelease,
    GradingPolicy,
    Kind,
    ModerationEvent,
    Resolution,
    Score,
    Status,
    Visibility,
    Vote,
)
from annotations.rendering import render_markdown
from seminar.models import (
    AccessChange,
    Discussion,
    Group,
    Membership,
    PeerVisibility,
    Reading,
    ReadingRevision,
    ReadingStatus,
    Role,
    Seminar,
    TextFormat,
    User,
)
from seminar.pseudonyms import pseudonym_assign
from seminar.services import unique_slug

__all__ = ["RestoreError", "seminar_restore"]

BATCH = 1000
USER_MENTION = re.compile(r"@\[user:([^\]\s]{1,150})\]")


def _when(value: object) -> datetime.datetime | None:
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"“{value}” is not a date and time with a time zone")
    return parsed


def _day(value: object) -> datetime.date | None:
    if value is None:
        return None
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError(f"“{value}” is not a date")
    return parsed


@cache
def _values(choices: type[models.Choices]) -> frozenset[Any]:
    return frozenset(choices.values)


def _choice(value: Any, choices: type[models.Choices], what: str, *, null: bool = False) -> Any:
    if value is None and null:
        return None
    if value not in _values(choices):
        raise ValueError(f"unknown {what} “{value}”")
    return value


def _restamp(model: type[models.Model], rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
    """Put timestamps back that Django filled in on insert: rows are (pk, {field: value})."""
    rows = [r for r in rows if r[1]]
    if not rows:
        return
    fields = list(rows[0][1])
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(model._meta.get_field(f).column)} = %s" for f in fields)
    # Only quoted identifiers from the model's own metadata are formatted in; values are params.
    sql = f"UPDATE {quote(model._meta.db_table)} SET {columns} WHERE {quote('id')} = %s"  # noqa: S608
    params = []
    for pk, values in rows:
        prepped = [
            model._meta.get_field(f).get_db_prep_value(values[f], connection) for f in fields
        ]
        params.append([*prepped, pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _bulk(
    model: type[models.Model],
    records: Iterable[Any],
    build: Callable[[Any], models.Model],
    stamp: Callable[[Any], dict[str, Any]],
) -> None:
    """Insert a row per record, BATCH at a time, then set their auto timestamps back."""
    records = iter(records)
    while batch := list(itertools.islice(records, BATCH)):
        created = model.objects.bulk_create([build(r) for r in batch])
        _restamp(model, [(obj.pk, stamp(r)) for obj, r in zip(created, batch, strict=True)])


class Restorer:
    def __init__(self):
        self.seminar = None
        self.seminar_record = None
        self.policy = None
        self.users = {}  # archive username -> User
        self.members = []  # (User, role, joined)
        self.readings = {}  # slug -> (Reading, its record)
        self.revisions = {}  # (slug, number) -> ReadingRevision id
        self.annotations = {}  # archive id -> new id
        self.memberships = None  # user id -> the new Membership id, once members are in

    def user(self, key, *, null=True):
        if key is None and null:
            return None
        if key not in self.users:
            raise ValueError(f"it refers to the unknown user “{key}”")
        return self.users[key]

    def annotation(self, key):
        if key is None:
            return None
        if key not in self.annotations:
            raise ValueError(f"it refers to annotation {key}, which is not (yet) in the archive")
        return self.annotations[key]

    def revision(self, slug, number):
        if number is None:
            return None
        if (slug, number) not in self.revisions:
            raise ValueError(f"it refers to revision {number} of “{slug}”, which is missing")
        return self.revisions[(slug, number)]

    def reading(self, slug):
        if slug not in self.readings:
            raise ValueError(f"it refers to the unknown reading “{slug}”")
        return self.readings[slug][0]

    def run(self, sections):
        """Restore from data.json's sections, in their order; the new Seminar."""
        handlers = {
            "header": lambda value: None,
            "seminar": lambda value: setattr(self, "seminar_record", value),
            "grading_policy": lambda value: setattr(self, "policy", value),
            "users": self.restore_users,
            "groups": self.restore_groups,
            "readings": self.restore_readings,
            "revisions": self.restore_revisions,
            "annotations": self.restore_annotations,
            "votes": self.restore_votes,
            "flags": self.restore_flags,
            "moderation_events": self.restore_moderation,
            "access_changes": self.restore_access,
            "scores": self.restore_scores,
            "grades": self.restore_grades,
            "releases": self.restore_releases,
        }
        seen = set()
        for name, value in sections:
            seen.add(name)
            handlers[name](value)
        for name in (*reader.VALUES, *reader.LISTS):
            if name not in seen and name not in reader.LATER_LISTS:
                raise RestoreError(f"data.json has no “{name}”. Nothing was saved.")
        self.finish()
        return self.seminar

    def restore_users(self, records):
        taken = None
        for record in records:
            email = (record.get("email") or "").strip()
            user = (
                User.objects.filter(email__iexact=email).order_by("id").first() if email else None
            )
            if user is None:
                if taken is None:
                    taken = set(User.objects.values_list("username", flat=True))
                base = record["username"]
                username, n = base, 2
                while username in taken:
                    username, n = f"{base}-{n}", n + 1
                taken.add(username)
                user = User(
                    username=username,
                    display_name=record.get("display_name") or "",
                    email=email,
                    is_active=False,
                )
                user.set_unusable_password()
                user.save()
            self.users[record["username"]] = user
            if record.get("role"):
                self.members.append((user, _choice(record["role"], Role, "role"), record))
        self.seminar = self.restore_seminar()

    def restore_seminar(self):
        record = self.seminar_record
        if record is None:
            raise ValueError("its seminar comes after its people")
        taken = set(Seminar.objects.values_list("slug", flat=True))
        seminar = Seminar.objects.create(
            title=record["title"],
            slug=unique_slug(record["slug"], taken=taken, fallback="seminar"),
            term=record.get("term") or "",
            description=record.get("description") or "",
            anonymous_peers=bool(record.get("anonymous_peers")),
            premoderation=bool(record.get("premoderation")),
            tas_moderate=bool(record.get("tas_moderate", True)),
            created_by=self.user(record.get("created_by")),
        )
        _bulk(
            Membership,
            self.members,
            lambda m: Membership(
                seminar=seminar, user=m[0], role=m[1], pseudonym=m[2].get("pseudonym") or ""
            ),
            lambda m: {"joined": _when(m[2]["joined"])},
        )
        pseudonym_assign(seminar=seminar)  # students an archive of version 1 has no name for
        if self.policy:
            # An archive made before hidden posts could count has no count_hidden: not counted.
            policy = {"count_hidden": False, **self.policy}
            GradingPolicy.objects.create(
                seminar=seminar, **{f: policy[f] for f in datafile.POLICY_FIELDS}
            )
        return seminar

    def restore_readings(self, records):
        for record in records:
            reading = Reading.objects.create(
                seminar=self.seminar,
                title=record["title"],
                slug=record["slug"],
                byline=record.get("byline") or "",
                date=_day(record.get("date")),
                due=_when(record.get("due")),
                status=_choice(record["status"], ReadingStatus, "reading status"),
                discussion=_choice(
                    record.get("discussion") or Discussion.CLASS, Discussion, "discussion"
                ),
                # Before version 3, classmates' posts were always shown.
                peer_visibility=_choice(
                    record.get("peer_visibility") or PeerVisibility.ALWAYS,
                    PeerVisibility,
                    "peer visibility",
                ),
                position=record["position"],
                created_by=self.user(record.get("created_by")),
            )
            self.readings[record["slug"]] = (reading, record)

    def restore_revisions(self, records):
        for record in records:
            revision = ReadingRevision.objects.create(
                reading=self.reading(record["reading"]),
                number=record["number"],
                format=_choice(record["format"], TextFormat, "text format"),
                source=record["source"],
                html=record["html"],
                text=record["text"],
                works_cited=record.get("works_cited") or [],
                note=record.get("note") or "",
                created_by=self.user(record.get("created_by")),
            )
            _restamp(ReadingRevision, [(revision.pk, {"created": _when(record["created"])})])
            self.revisions[(record["reading"], record["number"])] = revision.pk

    def _mentions(self, text):
        """The text with its mentions naming the restored memberships, and who they are."""
        if self.memberships is None:
            self.memberships = dict(
                Membership.objects.filter(seminar=self.seminar).values_list("user_id", "pk")
            )
        mentioned = []

        def local(match):
            user = self.user(match.group(1), null=False)
            if user.pk not in self.memberships:
                raise ValueError(f"it mentions “{match.group(1)}”, who is not a member")
            mentioned.append(user.pk)
            return f"@[member:{self.memberships[user.pk]}]"

        return USER_MENTION.sub(local, text), mentioned

    def _annotation(self, record):
        slug = record["reading"]
        text, html, mentioned = record["text"], record["html"], []
        if "@[user:" in text:
            text, mentioned = self._mentions(text)
            html = render_markdown(text)
        annotation = self._annotation_row(record, slug, text, html)
        annotation.mentioned = mentioned
        return annotation

    def _annotation_row(self, record, slug, text, html):
        return Annotation(
            reading=self.reading(slug),
            revision_id=self.revision(slug, record.get("revision")),
            parent_id=self.annotation(record.get("parent")),
            thread_id=self.annotation(record.get("thread")),
            kind=_choice(record["kind"], Kind, "kind"),
            author=self.user(record.get("author")),
            author_name=record.get("author_name") or "",
            text=text,
            html=html,
            tags=record.get("tags") or [],
            visibility=_choice(record["visibility"], Visibility, "visibility"),
            status=_choice(record["status"], Status, "status"),
            client_id=record.get("client_id") or "",
            quote_exact=record.get("quote_exact") or "",
            original_quote=record.get("original_quote") or "",
            quote_prefix=record.get("quote_prefix") or "",
            quote_suffix=record.get("quote_suffix") or "",
            start=record.get("start"),
            end=record.get("end"),
            anchored_revision_id=self.revision(slug, record.get("anchored_revision")),
            anchor_status=_choice(
                record.get("anchor_status"), AnchorStatus, "anchor status", null=True
            ),
            pinned=bool(record.get("pinned")),
            locked=bool(record.get("locked")),
            moderation_reason=record.get("moderation_reason") or "",
            created=_when(record["created"]),
            edited=_when(record.get("edited")),
            # A question's state (archives before it: every question open).
            resolution=_choice(
                record.get("resolution", "open" if record["kind"] == Kind.QUESTION else None),
                Resolution,
                "resolution",
                null=True,
            ),
            resolution_note=record.get("resolution_note") or "",
            resolved_by=self.user(record.get("resolved_by")),
            resolved_at=_when(record.get("resolved_at")),
            endorsed=bool(record.get("endorsed")),
        )

    def restore_annotations(self, records):
        batch, batch_records = [], []

        def flush():
            self._drop_used_client_ids(batch)
            created = Annotation.objects.bulk_create(batch)
            _restamp(
                Annotation,
                [
                    (a.pk, {"updated": _when(r["updated"])})
                    for a, r in zip(created, batch_records, strict=True)
                ],
            )
            for annotation, record in zip(created, batch_records, strict=True):
                self.annotations[record["id"]] = annotation.pk
            Annotation.mentions.through.objects.bulk_create(
                Annotation.mentions.through(annotation_id=a.pk, user_id=user_id)
                for a in created
                for user_id in dict.fromkeys(a.mentioned)
            )
            batch.clear()
            batch_records.clear()

        pending = set()
        for record in records:
            # A reply may answer a post still waiting in this batch: write the batch first.
            if record.get("parent") in pending or record.get("thread") in pending:
                flush()
                pending.clear()
            if record["id"] in self.annotations or record["id"] in pending:
                raise ValueError(f"annotation {record['id']} appears twice")
            batch.append(self._annotation(record))
            batch_records.append(record)
            pending.add(record["id"])
            if len(batch) >= BATCH:
                flush()
                pending.clear()
        if batch:
            flush()

    def _drop_used_client_ids(self, batch):
        wanted = {(a.author_id, a.client_id) for a in batch if a.author_id and a.client_id}
        if not wanted:
            return
        used = set(
            Annotation.objects.filter(
                author_id__in={a for a, _ in wanted}, client_id__in={c for _, c in wanted}
            ).values_list("author_id", "client_id")
        )
        for annotation in batch:
            if (annotation.author_id, annotation.client_id) in used:
                annotation.client_id = ""

    def restore_votes(self, records):
        _bulk(
            Vote,
            records,
            lambda r: Vote(
                annotation_id=self.annotation(r["annotation"]),
                user=self.user(r["user"], null=False),
            ),
            lambda r: {"created": _when(r["created"])},
        )

    def restore_flags(self, records):
        _bulk(
            Flag,
            records,
            lambda r: Flag(
                annotation_id=self.annotation(r["annotation"]),
                user=self.user(r["user"], null=False),
                reason=_choice(r["reason"], FlagReason, "flag reason"),
                note=r.get("note") or "",
                dismissed=_when(r.get("dismissed")),
            ),
            lambda r: {"created": _when(r["created"])},
        )

    def restore_moderation(self, records):
        for r in records:
            moderator = self.user(r.get("moderator"))
            event = ModerationEvent(
                seminar=self.seminar,
                annotation_id=self.annotation(r["annotation"]),
                moderator=moderator,
                # As recorded; version 1 did not record it, so the matched person's.
                moderator_name=r.get("moderator_name") or (moderator.name if moderator else ""),
                moderator_username=r.get("moderator_username")
                or (moderator.username if moderator else ""),
                action=_choice(r["action"], Action, "moderation action"),
                reason=r.get("reason") or "",
                from_status=_choice(r["from_status"], Status, "status"),
                to_status=_choice(r["to_status"], Status, "status"),
                created=_when(r["created"]),
            )
            # Inserted once, exactly as recorded: the log is never updated (see docstring).
            event.save_base(raw=True, force_insert=True)

    def restore_groups(self, records):
        for r in records:
            group = Group.objects.create(
                seminar=self.seminar, name=r["name"], created=_when(r["created"])
            )
            users = [self.user(key, null=False) for key in r.get("members") or []]
            Membership.objects.filter(seminar=self.seminar, user__in=users).update(group=group)

    def restore_access(self, records):
        for r in records:
            actor = self.user(r.get("actor"))
            AccessChange.objects.create(
                seminar=self.seminar,
                reading=self.reading(r["reading"]) if r.get("reading") else None,
                actor=actor,
                actor_name=r.get("actor_name") or (actor.name if actor else ""),
                setting=r["setting"],
                before=r.get("before") or "",
                after=r.get("after") or "",
                effect=r.get("effect") or "",
                created=_when(r["created"]),
            )

    def restore_scores(self, records):
        _bulk(
            Score,
            records,
            lambda r: Score(
                annotation_id=self.annotation(r["annotation"]),
                value=r["value"],
                comment=r.get("comment") or "",
                grader=self.user(r.get("grader")),
            ),
            lambda r: {"updated": _when(r["updated"])},
        )

    def restore_grades(self, records):
        _bulk(
            Grade,
            records,
            lambda r: Grade(
                reading=self.reading(r["reading"]),
                student=self.user(r["student"], null=False),
                final=None if r.get("final") is None else Decimal(str(r["final"])),
                feedback=r.get("feedback") or "",
                grader=self.user(r.get("grader")),
            ),
            lambda r: {"updated": _when(r["updated"])},
        )

    def restore_releases(self, records):
        _bulk(
            GradeRelease,
            records,
            lambda r: GradeRelease(
                reading=self.reading(r["reading"]), released_by=self.user(r.get("released_by"))
            ),
            lambda r: {"released": _when(r["released"])},
        )

    def finish(self):
        """Timestamps that later rows would have moved: readings' and the seminar's own."""
        for slug, (reading, record) in self.readings.items():
            Reading.objects.filter(pk=reading.pk).update(
                current_revision_id=self.revision(slug, record.get("current_revision")),
                created=_when(record["created"]),
                updated=_when(record["updated"]),
            )
        record = self.seminar_record
        Seminar.objects.filter(pk=self.seminar.pk).update(
            created=_when(record["created"]), updated=_when(record["updated"])
        )


def seminar_restore(*, file: str | os.PathLike[str] | IO[bytes]) -> Seminar:
    """A new seminar from an archive (a path or a binary file): the Seminar, or RestoreError."""
    try:
        with reader.opened(file) as sections, transaction.atomic():
            seminar = Restorer().run(sections)
    except RestoreError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        what = f"a field is missing: {exc}" if isinstance(exc, KeyError) else str(exc)
        raise RestoreError(f"data.json cannot be restored: {what}. Nothing was saved.") from exc
    except (IntegrityError, DataError) as exc:
        raise RestoreError(f"data.json contradicts itself ({exc}). Nothing was saved.") from exc
    seminar.refresh_from_db()
    return seminar
