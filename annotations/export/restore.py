"""Restoring a seminar archive as a new seminar: everything, in one transaction, or nothing.

First the archive is checked, before anything is written: a ZIP, a manifest of a format and
version this code reads, every listed file present with its SHA-256, no unlisted file, and a
data.json that parses. Then `seminar_restore` recreates the rows:

* the seminar gets a new slug if its own is taken, and always a new join code, invite link
  and pseudonym secret (pseudonyms therefore differ from the old site's);
* people are matched by email (case-insensitive) to existing accounts; anyone else gets a new
  inactive account with an unusable password (an admin activates it, or they reset it);
* readings, revisions, annotations (with their threads), helpful marks, flags, moderation
  events, the grading policy, scores, grades and releases are recreated with their
  timestamps. Fields Django fills in itself (`auto_now`, `auto_now_add`) are set back to the
  archive's values with UPDATEs after insertion; moderation events, which may never be
  updated, are inserted once with their own time (`save_base(raw=True)`, the fixture
  loader's way of saving a row exactly as given);
* a `client_id` (a retry key) that the matched person already uses elsewhere is dropped.

Anything wrong raises `RestoreError` with a sentence that says what, and nothing is saved.
"""

import hashlib
import json
import zipfile
from decimal import Decimal

from django.db import DataError, IntegrityError, connection, transaction
from django.utils.dateparse import parse_date, parse_datetime

from seminar.models import (
    Membership,
    Reading,
    ReadingRevision,
    ReadingStatus,
    Role,
    Seminar,
    TextFormat,
    User,
)
from seminar.services import unique_slug

from ..models import (
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
    Score,
    Status,
    Visibility,
    Vote,
)
from . import datafile

BATCH = 1000
SUPPORTED_VERSIONS = (1,)


class RestoreError(ValueError):
    """The archive cannot be restored; the message says why. Nothing was saved."""


# -- checking the archive ------------------------------------------------------------------


def _sha256(archive, name):
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as entry:
        while chunk := entry.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _json(archive, name):
    try:
        return json.loads(archive.read(name).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RestoreError(f"{name} is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise RestoreError(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc


def _check_version(what, data):
    if not isinstance(data, dict) or data.get("format") != datafile.FORMAT:
        raise RestoreError(f"{what} does not describe a Seminar archive.")
    version = data.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise RestoreError(
            f"{what} is format version {version!r}; this Seminar reads version "
            f"{', '.join(map(str, SUPPORTED_VERSIONS))}. Restore it with a newer Seminar."
        )


def read_archive(file):
    """data.json of a checked archive (a path or a binary file), or RestoreError."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RestoreError(f"This is not a ZIP archive, or it is damaged ({exc}).") from exc
    try:
        with archive:
            names = set(archive.namelist())
            if "manifest.json" not in names:
                raise RestoreError("manifest.json is missing: this is not a Seminar archive.")
            manifest = _json(archive, "manifest.json")
            _check_version("manifest.json", manifest)
            listed = manifest.get("files")
            if not isinstance(listed, list) or not all(isinstance(f, dict) for f in listed):
                raise RestoreError("manifest.json has no list of files.")
            paths = {f.get("path") for f in listed}
            if "data.json" not in paths:
                raise RestoreError("manifest.json does not list data.json.")
            for unlisted in sorted(names - paths - {"manifest.json"}):
                raise RestoreError(f"{unlisted} is in the archive but not in manifest.json.")
            for entry in listed:
                path = entry.get("path")
                if path not in names:
                    raise RestoreError(f"{path} is listed in manifest.json but missing.")
                digest, size = _sha256(archive, path)
                if digest != entry.get("sha256") or size != entry.get("bytes"):
                    raise RestoreError(
                        f"{path} does not match its SHA-256 in manifest.json: the archive is "
                        "damaged or was edited."
                    )
            data = _json(archive, "data.json")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise RestoreError(f"The archive is damaged ({exc}).") from exc
    _check_version("data.json", data)
    return data


# -- recreating the rows -------------------------------------------------------------------


def _when(value):
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"“{value}” is not a date and time with a time zone")
    return parsed


def _day(value):
    if value is None:
        return None
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError(f"“{value}” is not a date")
    return parsed


def _choice(value, choices, what, *, null=False):
    if value is None and null:
        return None
    if value not in choices.values:
        raise ValueError(f"unknown {what} “{value}”")
    return value


def _restamp(model, rows):
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


def _bulk(model, objects, stamps):
    """Insert objects, then set their auto timestamps back: stamps[i] is {field: value}."""
    created = model.objects.bulk_create(objects, batch_size=BATCH)
    _restamp(model, [(obj.pk, stamp) for obj, stamp in zip(created, stamps, strict=True)])
    return created


class Restorer:
    def __init__(self, data):
        self.data = data
        self.users = {}  # archive username -> User
        self.readings = {}  # slug -> Reading
        self.revisions = {}  # (slug, number) -> ReadingRevision id
        self.annotations = {}  # archive id -> new id

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

    def run(self):
        self.restore_users()
        seminar = self.restore_seminar()
        self.restore_readings(seminar)
        self.restore_annotations(seminar)
        self.restore_marks()
        self.restore_grading(seminar)
        return seminar

    def restore_users(self):
        taken = None
        for record in self.data["users"]:
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

    def restore_seminar(self):
        record = self.data["seminar"]
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
        self.seminar_stamps = (seminar, _when(record["created"]), _when(record["updated"]))
        members = [(r, self.users[r["username"]]) for r in self.data["users"] if r.get("role")]
        memberships = [
            Membership(seminar=seminar, user=user, role=_choice(r["role"], Role, "role"))
            for r, user in members
        ]
        _bulk(Membership, memberships, [{"joined": _when(r["joined"])} for r, _ in members])
        policy = self.data.get("grading_policy")
        if policy:
            GradingPolicy.objects.create(
                seminar=seminar, **{f: policy[f] for f in datafile.POLICY_FIELDS}
            )
        return seminar

    def restore_readings(self, seminar):
        for record in self.data["readings"]:
            reading = Reading.objects.create(
                seminar=seminar,
                title=record["title"],
                slug=record["slug"],
                byline=record.get("byline") or "",
                date=_day(record.get("date")),
                due=_when(record.get("due")),
                status=_choice(record["status"], ReadingStatus, "reading status"),
                position=record["position"],
                created_by=self.user(record.get("created_by")),
            )
            self.readings[record["slug"]] = (reading, record)
        for record in self.data["revisions"]:
            reading, _ = self.readings[record["reading"]]
            revision = ReadingRevision.objects.create(
                reading=reading,
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
        for slug, (reading, record) in self.readings.items():
            Reading.objects.filter(pk=reading.pk).update(
                current_revision_id=self.revision(slug, record.get("current_revision")),
                created=_when(record["created"]),
                updated=_when(record["updated"]),
            )

    def _annotation(self, record):
        slug = record["reading"]
        if slug not in self.readings:
            raise ValueError(f"it refers to the unknown reading “{slug}”")
        return Annotation(
            reading=self.readings[slug][0],
            revision_id=self.revision(slug, record.get("revision")),
            parent_id=self.annotation(record.get("parent")),
            thread_id=self.annotation(record.get("thread")),
            kind=_choice(record["kind"], Kind, "kind"),
            author=self.user(record.get("author")),
            author_name=record.get("author_name") or "",
            text=record["text"],
            html=record["html"],
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
        )

    def restore_annotations(self, seminar):
        batch, records = [], []

        def flush():
            self._drop_used_client_ids(batch)
            created = Annotation.objects.bulk_create(batch)
            _restamp(
                Annotation,
                [
                    (a.pk, {"updated": _when(r["updated"])})
                    for a, r in zip(created, records, strict=True)
                ],
            )
            for annotation, record in zip(created, records, strict=True):
                self.annotations[record["id"]] = annotation.pk
            batch.clear()
            records.clear()

        pending = set()
        for record in self.data["annotations"]:
            # A reply may answer a post still waiting in this batch: write the batch first.
            if record.get("parent") in pending or record.get("thread") in pending:
                flush()
                pending.clear()
            if record["id"] in self.annotations or record["id"] in pending:
                raise ValueError(f"annotation {record['id']} appears twice")
            batch.append(self._annotation(record))
            records.append(record)
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

    def restore_marks(self):
        votes = self.data.get("votes", [])
        _bulk(
            Vote,
            [
                Vote(
                    annotation_id=self.annotation(r["annotation"]),
                    user=self.user(r["user"], null=False),
                )
                for r in votes
            ],
            [{"created": _when(r["created"])} for r in votes],
        )
        flags = self.data.get("flags", [])
        _bulk(
            Flag,
            [
                Flag(
                    annotation_id=self.annotation(r["annotation"]),
                    user=self.user(r["user"], null=False),
                    reason=_choice(r["reason"], FlagReason, "flag reason"),
                    note=r.get("note") or "",
                    dismissed=_when(r.get("dismissed")),
                )
                for r in flags
            ],
            [{"created": _when(r["created"])} for r in flags],
        )

    def restore_grading(self, seminar):
        for r in self.data.get("moderation_events", []):
            event = ModerationEvent(
                seminar=seminar,
                annotation_id=self.annotation(r["annotation"]),
                moderator=self.user(r.get("moderator")),
                action=_choice(r["action"], Action, "moderation action"),
                reason=r.get("reason") or "",
                from_status=_choice(r["from_status"], Status, "status"),
                to_status=_choice(r["to_status"], Status, "status"),
                created=_when(r["created"]),
            )
            # Inserted once, exactly as recorded: the log is never updated (see docstring).
            event.save_base(raw=True, force_insert=True)
        scores = self.data.get("scores", [])
        _bulk(
            Score,
            [
                Score(
                    annotation_id=self.annotation(r["annotation"]),
                    value=r["value"],
                    comment=r.get("comment") or "",
                    grader=self.user(r.get("grader")),
                )
                for r in scores
            ],
            [{"updated": _when(r["updated"])} for r in scores],
        )
        grades = self.data.get("grades", [])
        _bulk(
            Grade,
            [
                Grade(
                    reading=self._reading(r["reading"]),
                    student=self.user(r["student"], null=False),
                    final=None if r.get("final") is None else Decimal(str(r["final"])),
                    feedback=r.get("feedback") or "",
                    grader=self.user(r.get("grader")),
                )
                for r in grades
            ],
            [{"updated": _when(r["updated"])} for r in grades],
        )
        releases = self.data.get("releases", [])
        _bulk(
            GradeRelease,
            [
                GradeRelease(
                    reading=self._reading(r["reading"]), released_by=self.user(r.get("released_by"))
                )
                for r in releases
            ],
            [{"released": _when(r["released"])} for r in releases],
        )
        seminar, created, updated = self.seminar_stamps
        Seminar.objects.filter(pk=seminar.pk).update(created=created, updated=updated)

    def _reading(self, slug):
        if slug not in self.readings:
            raise ValueError(f"it refers to the unknown reading “{slug}”")
        return self.readings[slug][0]


def seminar_restore(*, file):
    """A new seminar from an archive (a path or a binary file): the Seminar, or RestoreError."""
    data = read_archive(file)
    try:
        with transaction.atomic():
            seminar = Restorer(data).run()
    except RestoreError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        what = f"a field is missing: {exc}" if isinstance(exc, KeyError) else str(exc)
        raise RestoreError(f"data.json cannot be restored: {what}. Nothing was saved.") from exc
    except (IntegrityError, DataError) as exc:
        raise RestoreError(f"data.json contradicts itself ({exc}). Nothing was saved.") from exc
    seminar.refresh_from_db()
    return seminar
