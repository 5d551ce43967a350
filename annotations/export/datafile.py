"""`data.json`: everything a seminar archive needs to be restored, written as a stream.

One JSON object, laid out a record per line so that it diffs and greps well:

    {"format": "seminar-archive", "version": 2, "exported": …, "options": {…},
    "seminar": {…}, "grading_policy": {…} | null,
    "users": [ … ], "groups": [ … ], "readings": [ … ], "revisions": [ … ], "annotations": [ … ],
    "votes": [ … ], "flags": [ … ], "moderation_events": [ … ], "access_changes": [ … ],
    "scores": [ … ], "grades": [ … ], "releases": [ … ]}

References are natural keys where the site has them: a user is their `username` (unique in
the archive; with pseudonyms, a name made from the pseudonym and no email), a reading its
`slug`, a revision its `number` within its reading. Annotations keep the exporting site's
ids, which only link rows within the file (`parent`, `thread`, `annotation`); they come in id
order, so a reply always follows what it answers. Timestamps are ISO 8601 with their offset,
to the microsecond. Notifications, API tokens and passwords are not exported.

A mention, "@[member:<membership id>]" on the site, is "@[user:<username>]" in an annotation's
`text`, so that a restore can point it at the member's new membership; its `html` names the
member as the export names people. A mention of someone no longer a member is "@Former member".

Version 2 added what a restore needs to show the seminar as it was: each member's
`pseudonym` (for a student without a stored one, the one the seminar shows now), and the
moderator's name and username as each moderation event recorded them. `reader` still reads
version 1. The seminar's pseudonym secret stays out: it is only ever combined with user ids,
which a restore renumbers, so it could restore no name, and with it and the old site's ids
anyone could work out who is behind a pseudonym.

Version 3 added who sees what: each reading's `peer_visibility` and `discussion`, the
seminar's `groups` (each with its members' keys) and the record of changes to them
(`access_changes`: the reading's slug, who, from what to what, what it did). A restore of an
earlier version shows classmates' posts always and to the whole class, as those sites did.
"""

import datetime
import json
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from annotations.export.snapshot import CHUNK
from annotations.models import (
    CONTENT_FIELDS,
    Flag,
    Grade,
    GradeRelease,
    GradingPolicy,
    ModerationEvent,
    Score,
    Vote,
)
from annotations.rendering import FORMER_MEMBER, MENTION, fill_mentions
from seminar.models import AccessChange, Group, Membership, ReadingRevision, User

FORMAT = "seminar-archive"
VERSION = 3

SEMINAR_FIELDS = ("title", "slug", "term", "description", "anonymous_peers", "premoderation")
SEMINAR_FIELDS += ("tas_moderate", "created", "updated")
POLICY_FIELDS = (
    "score_max",
    "descriptors",
    "best_n",
    "late_penalty",
    "grace_minutes",
    "count_hidden",
)
READING_FIELDS = ("title", "slug", "byline", "date", "due", "status", "position")
READING_FIELDS += ("peer_visibility", "discussion")
READING_FIELDS += ("created", "updated")
REVISION_FIELDS = ("number", "format", "source", "html", "text", "works_cited", "note", "created")
# The post as stored, plus the retry key a restore keeps (duplicates stay refused).
ANNOTATION_FIELDS = (*CONTENT_FIELDS, "client_id")
FLAG_FIELDS = ("reason", "note", "created", "dismissed")
EVENT_FIELDS = ("action", "reason", "from_status", "to_status", "created")
ACCESS_FIELDS = ("actor_name", "setting", "before", "after", "effect", "created")


def plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no place in data.json")


# `plain` is called only for what JSON has no type for (dates, decimals).
_dump = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=plain).encode


class Counts(dict):
    """How many records of each kind were written; the manifest reports them."""


class Users:
    """Archive keys (usernames) of everyone the archive mentions."""

    def __init__(self, scope):
        self.scope = scope
        self.keys = {}

    def __call__(self, user_id):
        return self.keys.get(user_id) if user_id is not None else None

    def _ids(self):
        scope, seminar = self.scope, self.scope.seminar
        exported = scope.annotations().values("pk")
        ids = set(Membership.objects.filter(seminar=seminar).values_list("user_id", flat=True))
        sources = [
            scope.annotations().values_list("author_id", flat=True),
            scope.annotations().values_list("resolved_by_id", flat=True),
            Vote.objects.filter(annotation__in=exported).values_list("user_id", flat=True),
            scope._related(ModerationEvent).values_list("moderator_id", flat=True),
            Score.objects.filter(annotation__in=exported).values_list("grader_id", flat=True),
            GradeRelease.objects.filter(reading__seminar=seminar).values_list(
                "released_by_id", flat=True
            ),
            ReadingRevision.objects.filter(reading__seminar=seminar).values_list(
                "created_by_id", flat=True
            ),
            seminar.readings.values_list("created_by_id", flat=True),
            Flag.objects.filter(annotation__in=exported).values_list("user_id", flat=True),
            _access_changes(scope).values_list("actor_id", flat=True),
        ]
        grades = Grade.objects.filter(reading__seminar=seminar)
        for field in ("student_id", "grader_id"):
            sources.append(grades.values_list(field, flat=True))
        for source in sources:
            ids.update(source.order_by().distinct())
        ids.add(seminar.created_by_id)
        ids.discard(None)
        return ids

    def records(self):
        scope, people = self.scope, self.scope.people
        members = {
            m["user_id"]: m
            for m in Membership.objects.filter(seminar=scope.seminar).values(
                "user_id", "role", "joined", "pseudonym"
            )
        }
        ids = self._ids()
        users = list(
            User.objects.filter(pk__in=ids).values("id", "username", "display_name", "email")
        )
        # Members in the order they joined, then everyone else by username: the same order
        # after a restore, whatever ids the restored rows get.
        rows = sorted(
            (u for u in users if u["id"] in members),
            key=lambda u: (members[u["id"]]["joined"], u["id"]),
        ) + sorted((u for u in users if u["id"] not in members), key=lambda u: u["username"])
        taken = set()
        for user in rows:
            member = members.get(user["id"])
            name = people.name(user["id"], user["display_name"], user["username"])
            username, email = user["username"], user["email"]
            if people.masked(user["id"]):
                username, email = slugify(name) or "student", ""
            key, n = username, 2
            while key in taken:
                key, n = f"{username}-{n}", n + 1
            taken.add(key)
            self.keys[user["id"]] = key
            yield {
                "username": key,
                "display_name": name if people.masked(user["id"]) else user["display_name"],
                "email": email,
                "role": member["role"] if member else None,
                "joined": member["joined"] if member else None,
                "pseudonym": self._pseudonym(member, people),
            }

    @staticmethod
    def _pseudonym(member, people):
        """The name the seminar shows for a member: the stored one, or for a student who has
        none yet the one worked out for them, so the restored seminar shows the same."""
        if member is None:
            return None
        return member["pseudonym"] or people.pseudonyms.get(member["user_id"], "")


def _section(name, records, counts, *, last=False):
    yield f'"{name}": [\n'
    first = True
    n = 0
    for record in records:
        yield ("" if first else ",\n") + _dump(record)
        first = False
        n += 1
    counts[name] = n
    yield ("\n" if n else "") + ("]\n" if last else "],\n")


def stream(scope, counts=None, *, exported=None, progress=None):
    """data.json as text chunks. `counts` (a dict) receives the number of each kind."""
    counts = counts if counts is not None else Counts()
    seminar = scope.seminar
    users = Users(scope)
    readings = {r.pk: r.slug for r in scope.readings}
    tick = progress or (lambda n=1: None)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "exported": (exported or timezone.now()).isoformat(),
        "options": {k: v for k, v in scope.options.as_dict().items() if k != "base_url"},
    }
    yield _dump(header)[:-1] + ",\n"
    user_records = list(users.records())
    record = {f: getattr(seminar, f) for f in SEMINAR_FIELDS}
    record["created_by"] = users(seminar.created_by_id)
    yield f'"seminar": {_dump(record)},\n'
    policy = GradingPolicy.objects.filter(seminar=seminar).values(*POLICY_FIELDS).first()
    yield f'"grading_policy": {json.dumps(policy, ensure_ascii=False)},\n'
    yield from _section("users", user_records, counts)
    yield from _section("groups", _groups(scope, users), counts)
    yield from _section("readings", _readings(scope, users), counts)
    yield from _section("revisions", _revisions(scope, users, readings), counts)
    yield from _section("annotations", _annotations(scope, users, readings, tick), counts)
    yield from _section("votes", _votes(scope, users), counts)
    yield from _section("flags", _flags(scope, users), counts)
    yield from _section("moderation_events", _events(scope, users, scope.people), counts)
    yield from _section("access_changes", _access(scope, users, readings), counts)
    yield from _section("scores", _scores(scope, users), counts)
    yield from _section("grades", _grades(scope, users, readings), counts)
    yield from _section("releases", _releases(scope, users, readings), counts, last=True)
    yield "}\n"


def _readings(scope, users):
    revisions = dict(
        ReadingRevision.objects.filter(reading__seminar=scope.seminar).values_list("pk", "number")
    )
    for reading in scope.readings:
        record = {f: getattr(reading, f) for f in READING_FIELDS}
        record["created_by"] = users(reading.created_by_id)
        record["current_revision"] = revisions.get(reading.current_revision_id)
        yield record


def _revisions(scope, users, readings):
    rows = (
        ReadingRevision.objects.filter(reading__seminar=scope.seminar)
        .order_by("reading__position", "reading_id", "number")
        .values("reading_id", "created_by_id", *REVISION_FIELDS)
    )
    for row in rows.iterator(chunk_size=100):
        record = {"reading": readings[row["reading_id"]]}
        record.update({f: row[f] for f in REVISION_FIELDS})
        record["created_by"] = users(row["created_by_id"])
        yield record


def _portable_mentions(row, scope, users):
    """The row's mentions by archive username (see the docstring), named in its HTML."""
    if "@[member:" not in row["text"]:
        return
    people = scope.people

    def portable(match):
        key = users(people.members.get(int(match.group(1))))
        return f"@[user:{key}]" if key else f"@{FORMER_MEMBER}"

    row["text"] = MENTION.sub(portable, row["text"])
    row["html"] = fill_mentions(row["html"], people.mention_names)


def _annotations(scope, users, readings, tick):
    # Times as the database writes them (ISO 8601, what `plain` would make): no converters.
    for row in scope.annotation_rows(order="id", mentions=False, text_times=True):
        _portable_mentions(row, scope, users)
        record = {
            "id": row["id"],
            "reading": readings[row["reading_id"]],
            "revision": row["revision__number"],
            "parent": row["parent_id"],
            "thread": row["thread_id"],
            "author": users(row["author_id"]),
            "resolved_by": users(row["resolved_by_id"]),
            "anchored_revision": row["anchored_revision__number"],
        }
        record.update({f: row[f] for f in ANNOTATION_FIELDS})
        tick()
        yield record


def _votes(scope, users):
    for row in scope.vote_rows():
        yield {
            "annotation": row["annotation_id"],
            "user": users(row["user_id"]),
            "created": row["created"],
        }


def _flags(scope, users):
    for row in scope.flag_rows():
        record = {"annotation": row["annotation_id"], "user": users(row["user_id"])}
        record.update({f: row[f] for f in FLAG_FIELDS})
        yield record


def _events(scope, users, people):
    for row in scope.moderation_rows():
        moderator = row["moderator_id"]
        record = {"annotation": row["annotation_id"], "moderator": users(moderator)}
        record.update({f: row[f] for f in EVENT_FIELDS})
        # As the log recorded them, unless pseudonyms hide them (a former member, say).
        masked = people.masked(moderator)
        record["moderator_name"] = people.recorded(
            moderator,
            row["moderator_name"],
            row["moderator__display_name"],
            row["moderator__username"],
        )
        username = row["moderator_username"] or row["moderator__username"] or ""
        record["moderator_username"] = users(moderator) if masked else username
        yield record


def _groups(scope, users):
    """The seminar's groups, each with its members (not in a member's own export)."""
    if scope.owner is not None:
        return
    members = {}
    rows = Membership.objects.filter(seminar=scope.seminar, group__isnull=False)
    for group_id, user_id in rows.order_by("user_id").values_list("group_id", "user_id"):
        members.setdefault(group_id, []).append(users(user_id))
    for group in Group.objects.filter(seminar=scope.seminar).order_by("name", "id"):
        yield {"name": group.name, "created": group.created, "members": members.get(group.pk, [])}


def _access_changes(scope):
    """Changes to who sees what (seminar.models.AccessChange), with the moderation history:
    not in a member's own export."""
    if scope.owner is not None:
        return AccessChange.objects.none()
    ids = [reading.pk for reading in scope.readings]
    changes = AccessChange.objects.filter(seminar=scope.seminar)
    return changes.filter(Q(reading__in=ids) | Q(reading__isnull=True)).order_by("created", "id")


def _access(scope, users, readings):
    for row in _access_changes(scope).values("reading_id", "actor_id", *ACCESS_FIELDS):
        record = {"reading": readings.get(row["reading_id"]), "actor": users(row["actor_id"])}
        record.update({f: row[f] for f in ACCESS_FIELDS})
        yield record


def _scores(scope, users):
    for row in scope.score_rows():
        yield {
            "annotation": row["annotation_id"],
            "value": row["value"],
            "comment": row["comment"],
            "grader": users(row["grader_id"]),
            "updated": row["updated"],
        }


def _grades(scope, users, readings):
    rows = (
        Grade.objects.filter(reading__seminar=scope.seminar)
        .order_by("id")
        .values("reading_id", "student_id", "final", "feedback", "grader_id", "updated")
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield {
            "reading": readings[row["reading_id"]],
            "student": users(row["student_id"]),
            "final": row["final"],
            "feedback": row["feedback"],
            "grader": users(row["grader_id"]),
            "updated": row["updated"],
        }


def _releases(scope, users, readings):
    rows = (
        GradeRelease.objects.filter(reading__seminar=scope.seminar)
        .order_by("reading__position", "reading_id")
        .values("reading_id", "released_by_id", "released")
    )
    for row in rows:
        yield {
            "reading": readings[row["reading_id"]],
            "released_by": users(row["released_by_id"]),
            "released": row["released"],
        }
