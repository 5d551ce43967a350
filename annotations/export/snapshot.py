"""What an export holds, read once: a seminar, one reading of it, or one member's own posts.

Every format (CSV, JSON-LD, HTML, Markdown, data.json) reads through a `Scope`, so they all
agree on which posts are exported and how people are named:

* a staff export (instructors and TAs) holds the posts of the seminar except private notes.
  By default it holds what peers see: published posts, and tombstones (no text, no author)
  of deleted posts that still have replies, and nothing under a hidden or waiting post. With
  `include_hidden`, hidden, waiting and deleted posts are there too, in full: evidence.
* a member's own export holds their own posts as they see them (`Annotation.visible_to`),
  with rubric scores only where grades are released.
* with `pseudonyms`, students are named by their stable seminar pseudonym
  (seminar.pseudonyms), staff by name, as on the pages; so are the members a post mentions
  ("@Name" in its text and HTML, never the stored token).
* `include_private` (the `export_seminar` command only: an operator's full backup) keeps
  private notes too.

Rows are dicts from `.values()`, read with `.iterator(chunk_size=CHUNK)`: an export holds one
chunk at a time, never the whole discussion.
"""

import contextlib
import json
import queue
import threading
from dataclasses import asdict, dataclass
from functools import cached_property

from django.db import connection
from django.db.models import Count, Exists, Func, IntegerField, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast, Coalesce

from annotations.models import (
    CONCEALED,
    CONTENT_FIELDS,
    Annotation,
    Flag,
    GradeRelease,
    ModerationEvent,
    Score,
    Status,
    Visibility,
    Vote,
)
from annotations.permissions import sees_names, shown_as_pseudonym
from annotations.rendering import fill_mentions, mention_text
from seminar.models import STAFF_ROLES, Membership, Reading, ReadingStatus
from seminar.pseudonyms import base_pseudonym, people

CHUNK = 2000

# A post's row in the export formats: its content (CONTENT_FIELDS), with ids and the
# revision numbers and author that the formats print.
ANNOTATION_FIELDS = (
    "id",
    "reading_id",
    "revision__number",
    "parent_id",
    "thread_id",
    "author_id",
    "author__username",
    "author__display_name",
    "resolved_by_id",
    *CONTENT_FIELDS,
    "client_id",
    "anchored_revision__number",
)
# What the spreadsheet-like formats add: helpful marks and the rubric score.
SCORED_FIELDS = ("marks", "score__value", "score__comment")
# What the list formats (CSV, JSON-LD) read: no HTML, no retry key.
LIST_FIELDS = tuple(f for f in ANNOTATION_FIELDS if f not in ("html", "client_id"))
TIMES = ("created", "updated", "edited", "resolved_at")
# What the whole-seminar archive reads, once, for every format of a reading.
ARCHIVE_FIELDS = ANNOTATION_FIELDS


class IsoText(Func):
    """A timestamp as ISO 8601 text, written by the database (UTC, which is how Django talks
    to both: PostgreSQL sessions are set to UTC, SQLite stores UTC). Parsing 300,000
    timestamps into datetimes only to print them again took a third of a CSV export."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        # Six digits of microseconds, none when there are none: Python's isoformat().
        template = (
            "replace(to_char(%(expressions)s AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') || '+00:00'"
        )
        return self.as_sql(compiler, connection, template=template)

    def as_sqlite(self, compiler, connection, **extra):
        # stored as Python's isoformat(" ") of the UTC time
        return self.as_sql(
            compiler, connection, template="replace(%(expressions)s, ' ', 'T') || '+00:00'"
        )

    def as_sql(self, compiler, connection, template=None, **extra):
        if template is None:
            raise NotImplementedError(f"IsoText has no SQL for {connection.vendor}")
        return super().as_sql(compiler, connection, template=template, **extra)


TRUE = ("1", "true", "on", "yes")


@dataclass(frozen=True)
class Options:
    include_hidden: bool = False
    pseudonyms: bool = False
    include_private: bool = False
    # Annotation ids are `{base_url}/api/annotations/{id}` with a base, else URNs.
    base_url: str = ""

    @classmethod
    def from_query(cls, query, *, base_url=""):
        """Options from a query string or form (`include_hidden=1&pseudonyms=1`)."""
        return cls(
            include_hidden=str(query.get("include_hidden", "")).lower() in TRUE,
            pseudonyms=str(query.get("pseudonyms", "")).lower() in TRUE,
            base_url=base_url.rstrip("/"),
        )

    @classmethod
    def from_dict(cls, data):
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def as_dict(self):
        return asdict(self)


class People:
    """Names and roles of everyone a row may mention, loaded in one query."""

    def __init__(self, seminar, *, pseudonyms, reader=None):
        self.roles, self.pseudonyms = people(seminar)
        self.salt = seminar.pseudonym_salt
        self.mask = pseudonyms
        self.seminar_id = seminar.pk
        # A member's own export: the people their posts mention, as the pages show them.
        self.reader = reader
        self.reader_sees_names = reader is not None and sees_names(reader, seminar)

    @cached_property
    def members(self):
        """{membership id: user id} of the seminar: what mentions refer to."""
        return dict(
            Membership.objects.filter(seminar_id=self.seminar_id).values_list("pk", "user_id")
        )

    @cached_property
    def mention_names(self):
        """{membership id: the name the export gives that member}. One query, when a post
        mentions someone."""
        users = Membership.objects.filter(seminar_id=self.seminar_id).values_list(
            "pk", "user_id", "user__display_name", "user__username"
        )
        names = {}
        for pk, user_id, display, username in users:
            hidden = self.reader is not None and shown_as_pseudonym(
                names_visible=self.reader_sees_names,
                is_me=user_id == self.reader.pk,
                role=self.roles.get(user_id),
            )
            if hidden:
                names[pk] = self.pseudonyms.get(user_id) or base_pseudonym(self.salt, user_id)
            else:
                names[pk] = self.name(user_id, display, username)
        return names

    def name_mentions(self, row):
        """The row's text and HTML with each mention "@Name", as the export names people."""
        if "@[member:" not in row["text"]:
            return
        row["text"] = mention_text(row["text"], self.mention_names)
        if "html" in row:
            row["html"] = fill_mentions(row["html"], self.mention_names)

    def masked(self, user_id):
        return self.mask and user_id is not None and self.roles.get(user_id) not in STAFF_ROLES

    def name(self, user_id, display_name, username):
        if user_id is None:
            return ""
        if self.masked(user_id):
            # A former member has no pseudonym in the roster; the same formula gives one.
            return self.pseudonyms.get(user_id) or base_pseudonym(self.salt, user_id)
        return display_name or username or ""

    def recorded(self, user_id, name, display_name, username):
        """Someone a record names as they were named then (the moderation log keeps the
        moderator's name): that name, unless pseudonyms hide them."""
        if self.masked(user_id):
            return self.name(user_id, display_name, username)
        return name or self.name(user_id, display_name, username)

    def role(self, user_id):
        return self.roles.get(user_id) or ""

    def credit(self, row):
        """The author of an annotation row, as the export shows them."""
        if row["author_id"] is None:
            if row["author_name"] or row["status"] == Status.DELETED:
                return row["author_name"]
            return "Unknown"
        return self.name(row["author_id"], row["author__display_name"], row["author__username"])

    @cached_property
    def groups(self):
        """{user id: their group's name} of the seminar's members in a group. One query."""
        rows = Membership.objects.filter(seminar_id=self.seminar_id, group__isnull=False)
        return dict(rows.values_list("user_id", "group__name"))

    def author_group(self, row):
        """The author's group now (groups, annotations/peers), or nothing."""
        return self.groups.get(row["author_id"], "") if row["author_id"] is not None else ""

    def author_role(self, row):
        if row["author_id"] is None:
            return "imported" if row["author_name"] else ""
        return self.roles.get(row["author_id"]) or "former member"


def marks():
    votes = Vote.objects.filter(annotation=OuterRef("pk")).values("annotation")
    return Subquery(votes.annotate(n=Count("pk")).values("n"), output_field=IntegerField())


class Scope:
    """One export's selection: a seminar, optionally one reading, optionally one owner."""

    def __init__(self, seminar, options=None, *, reading=None, owner=None):
        self.seminar = seminar
        self.options = options or Options()
        self.reading = reading
        self.owner = owner

    @property
    def evidence(self):
        """Hidden, waiting and deleted posts in full: staff exports with include_hidden."""
        return self.owner is None and self.options.include_hidden

    @cached_property
    def people(self):
        masked = self.options.pseudonyms and self.owner is None
        return People(self.seminar, pseudonyms=masked, reader=self.owner)

    @cached_property
    def readings(self):
        if self.reading is not None:
            return [self.reading]
        queryset = Reading.objects.filter(seminar=self.seminar).select_related("current_revision")
        if self.owner is not None:
            queryset = queryset.visible_to(self.owner)
        return list(queryset.order_by("position", "id"))

    def for_reading(self, reading):
        return Scope(self.seminar, self.options, reading=reading, owner=self.owner)

    def _base(self):
        queryset = Annotation.objects.filter(reading__seminar=self.seminar)
        if self.reading is not None:
            queryset = queryset.filter(reading=self.reading)
        if self.owner is not None:
            return queryset.filter(
                pk__in=Annotation.objects.visible_to(self.owner).filter(author=self.owner)
            )
        if not self.options.include_private:
            queryset = queryset.exclude(visibility=Visibility.PRIVATE)
        return queryset

    def annotations(self):
        """The exported annotations (before `dropped`), unordered."""
        queryset = self._base()
        if self.owner is None and not self.options.include_hidden:
            has_replies = Exists(Annotation.objects.filter(parent=OuterRef("pk")))
            shown = Q(status=Status.PUBLISHED) | Q(status=Status.DELETED, has_replies=True)
            queryset = queryset.alias(has_replies=has_replies).filter(shown)
        return queryset

    @cached_property
    def dropped(self):
        """Posts that pass the status filter but hang, at any depth, under a hidden or waiting
        post: peers do not see them, so a default export leaves them out."""
        if self.owner is not None or self.options.include_hidden:
            return frozenset()
        base = self._base()
        dropped = set(base.filter(status__in=CONCEALED).values_list("id", flat=True))
        if not dropped:
            return frozenset()
        # A reply is always made after its parent, so its id is larger: one pass in id order.
        replies = base.filter(parent__isnull=False).order_by("id").values_list("id", "parent_id")
        for pk, parent_id in replies.iterator(chunk_size=CHUNK):
            if parent_id in dropped:
                dropped.add(pk)
        return frozenset(dropped)

    @cached_property
    def released(self):
        """Readings whose scores a member sees in their own export."""
        return set(
            GradeRelease.objects.filter(
                reading__seminar=self.seminar, reading__status=ReadingStatus.PUBLISHED
            ).values_list("reading_id", flat=True)
        )

    def count(self):
        return self.annotations().count()

    def _annotation_query(self, *, order, scored, fields, ids=None, threads=None, text_times=None):
        queryset = self.annotations()
        if ids is not None:
            queryset = queryset.filter(pk__in=ids)
        if threads is not None:
            queryset = queryset.filter(Q(pk__in=threads) | Q(thread_id__in=threads))
        if text_times:
            # Text the database writes, and no per-row converter at all: Django then hands
            # rows over as they come (`tags` is parsed below, only when there are any).
            queryset = queryset.annotate(
                tags_text=Cast("tags", output_field=TextField()),
                **{f"{f}_text": IsoText(f) for f in TIMES},
            )
            fields = (
                *(f for f in fields if f not in TIMES and f != "tags"),
                "tags_text",
                *(f"{f}_text" for f in TIMES),
            )
        if scored:
            queryset = queryset.annotate(marks=marks())
            fields = (*fields, *SCORED_FIELDS)
        if order == "thread":
            queryset = queryset.order_by(
                "reading__position", "reading_id", Coalesce("thread_id", "id"), "created", "id"
            )
        else:
            queryset = queryset.order_by("id")
        return queryset, fields

    def annotation_values(self, *, order="thread", scored=False, fields=ANNOTATION_FIELDS):
        """The one SELECT behind `annotation_rows` (bench/export.py COPYs it, to compare)."""
        queryset, fields = self._annotation_query(order=order, scored=scored, fields=fields)
        return queryset.values(*fields)

    def annotation_rows(
        self,
        *,
        order="thread",
        scored=False,
        fields=ANNOTATION_FIELDS,
        ids=None,
        threads=None,
        mentions=True,
        text_times=None,
    ):
        """Annotation dicts: in thread order (reading, thread, time) or in id order (parents
        before replies, the order data.json needs). `scored` adds marks and the score; `ids`
        keeps only those annotations, `threads` only the posts of the threads of those ids.
        Mentions are "@Name" (`People.name_mentions`); `mentions=False` leaves the tokens
        (data.json, which carries them to a restore).

        With `fields=LIST_FIELDS`, or `text_times=True`, the timestamps come as ISO 8601 text
        (`IsoText`) and the tags are parsed here: no per-row converter runs at all."""
        text_times = fields is LIST_FIELDS if text_times is None else text_times
        queryset, names = self._annotation_query(
            order=order,
            scored=scored,
            fields=fields,
            ids=ids,
            threads=threads,
            text_times=text_times,
        )
        dropped, evidence = self.dropped, self.evidence
        people, owner, released = self.people, self.owner, self.released if scored else ()
        loads = json.loads
        # Tuples made into dicts in C: Django's own dicts are built in Python, a key at a time.
        for values in value_tuples(queryset, names, raw=text_times):
            row = dict(zip(names, values, strict=True))
            if row["id"] in dropped:
                continue
            if text_times:
                row["created"] = row.pop("created_text")
                row["updated"] = row.pop("updated_text")
                row["edited"] = row.pop("edited_text")
                row["resolved_at"] = row.pop("resolved_at_text")
                tags = row.pop("tags_text")
                row["tags"] = loads(tags) if tags != "[]" else []
            if row["status"] == Status.DELETED and not evidence:
                # A tombstone keeps its thread's shape, not its words (nor, for others, its
                # author: a member's own export still says whose it was).
                # Nor who closed it (its author, maybe) or how.
                row.update(text="", html="", tags=[], resolved_by_id=None, resolution_note="")
                if owner is None:
                    row.update(
                        author_id=None,
                        author_name="",
                        author__username=None,
                        author__display_name=None,
                    )
            if scored and owner is not None and row["reading_id"] not in released:
                row.update(score__value=None, score__comment="")
            if mentions:
                people.name_mentions(row)
            yield row

    def _related(self, model):
        exported = self.annotations().values("pk")
        return model.objects.filter(annotation__in=exported).order_by("id")

    def _skip_dropped(self, rows):
        dropped = self.dropped
        for row in rows:
            if row["annotation_id"] not in dropped:
                yield row

    def scores(self):
        """The exported posts' rubric scores (before `dropped`), by annotation."""
        queryset = self._related(Score)
        if self.owner is not None:
            queryset = queryset.filter(annotation__reading_id__in=self.released)
        return queryset.order_by("annotation_id")

    def score_rows(self):
        rows = self.scores().values(
            "annotation_id",
            "value",
            "comment",
            "grader_id",
            "grader__username",
            "grader__display_name",
            "updated",
        )
        return self._skip_dropped(rows.iterator(chunk_size=CHUNK))

    def moderation_rows(self):
        """The moderation history of the exported posts (not in a member's own export)."""
        if self.owner is not None:
            return iter(())
        rows = self._related(ModerationEvent).values(
            "id",
            "annotation_id",
            "moderator_id",
            "moderator__username",
            "moderator__display_name",
            "moderator_name",
            "moderator_username",
            "action",
            "reason",
            "from_status",
            "to_status",
            "created",
        )
        return self._skip_dropped(rows.iterator(chunk_size=CHUNK))

    def vote_rows(self):
        """(annotation_id, user_id, created) dicts, `created` as ISO text: no converter."""
        queryset = self._related(Vote).annotate(created_text=IsoText("created"))
        names = ("annotation_id", "user_id", "created_text")
        dropped = self.dropped
        for annotation_id, user_id, created in value_tuples(queryset, names, raw=True):
            if annotation_id not in dropped:
                yield {"annotation_id": annotation_id, "user_id": user_id, "created": created}

    def flag_rows(self):
        rows = self._related(Flag).values(
            "annotation_id", "user_id", "reason", "note", "created", "dismissed"
        )
        return self._skip_dropped(rows.iterator(chunk_size=CHUNK))


def value_tuples(queryset, names, *, raw=False):
    """The rows of `queryset` as tuples of `names`, CHUNK at a time.

    `raw` (only columns that need no converter: text, numbers, booleans) on PostgreSQL reads
    through a server-side cursor on another thread, a chunk ahead: psycopg waits for the
    server without holding the GIL, so the database sends the next chunk while this one is
    formatted, and no Django converter runs."""
    values = queryset.values_list(*names)
    if not raw or connection.vendor != "postgresql":
        yield from values.iterator(chunk_size=CHUNK)
        return
    sql, params = values.query.sql_with_params()
    for chunk in raw_chunks(sql, params):
        yield from chunk


def raw_chunks(sql, params):
    """The rows of a PostgreSQL SELECT, CHUNK tuples at a time, through a server-side cursor
    read a chunk ahead."""
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql, params)
        yield from _prefetched(cursor.cursor)
    finally:
        cursor.close()


_DONE = object()


def _prefetched(cursor):
    chunks = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read():
        try:
            while not stop.is_set():
                chunk = cursor.fetchmany(CHUNK)
                chunks.put(chunk or _DONE)
                if not chunk:
                    return
        except Exception as exc:  # noqa: BLE001 - handed to the reading thread
            chunks.put(exc)

    reader = threading.Thread(target=read, name="export-prefetch", daemon=True)
    reader.start()
    try:
        while (chunk := chunks.get()) is not _DONE:
            if isinstance(chunk, Exception):
                raise chunk
            yield chunk
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting to put a chunk
            with contextlib.suppress(queue.Empty):
                chunks.get(timeout=0.05)
        reader.join()
