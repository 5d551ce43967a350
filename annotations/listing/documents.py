"""The annotation list's body for one viewer: a shared document and their own part of it.

The shared document holds every post that all of an audience sees (`seen_by_audience`,
`to_all`) as a member of it who wrote, marked and flagged none of them sees it
(`Presenter.for_audience`), each already serialized, with the placeholders those posts
need. It is kept in Django's cache under the reading and the audience: the viewer's role,
whether they moderate, whether they see names. Those three are everything `Presenter` asks
of its reader besides who they are, so two readers with the same three get the same one.

Beside it, made in the same pass, each member of the audience has their own part: the rows
of the posts that are theirs to see differently, which their request presents for them with
the same Presenter: their own posts in any state, what they see beyond the audience
(`to_author`, `to_starter`: their private notes, posts waiting or hidden, "instructors"
threads they started), the posts they marked or flagged, the posts that name them where
peers go by pseudonyms (they see their own name), and the placeholders their posts need.

A document knows the list version it is at (versions.py). A request that finds it at the
reading's version makes no query beyond fetching it. One that finds it behind reads again
only the threads that changed since (the reading's `ListChange` rows after it), unless a
change could touch every post (a member, a name, a setting), too many threads changed, or
the changes after it do not account for every change it lacks (one that committed late);
then the document is made again whole: the seminar's people, the reading's posts with what
of them each sees, everyone's marks.

The result is what `Presenter.present_all(visible_rows(user, reading))` gives, item for item
(tests/annotations/test_listing.py holds the two together for every role, state and change).
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import json
import pickle
import zlib
from array import array
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, Value

from annotations.listing.models import ListChange
from annotations.models import Annotation, Flag, Vote
from annotations.peers.permissions import ListView, held_back_count, list_view
from annotations.permissions import can_moderate, role_in, sees_names
from annotations.presenting import Presenter, rows, visible_rows
from annotations.rendering import CHIP
from seminar.models import STAFF_ROLES, Reading
from seminar.nearcache import Near

if TYPE_CHECKING:
    from seminar.models import User

# The shape of the list and of a shared document: bump it when either changes, so that no
# client's ETag and no cached document of the old shape is taken for the new one.
FORMAT = 1
# A document is brought up to date when it is asked for, so it may live long; this only
# clears away those of readings nobody opens any more.
CACHE_SECONDS = 30 * 60
# A document behind by more threads than this is made again whole: cheaper than patching.
PATCH_AT_MOST = 50
# Documents each worker also keeps, unpacked, at one list version each (seminar/nearcache.py:
# a document at a version never changes): a few MiB each, one per busy audience.
NEAR = Near(8, seconds=CACHE_SECONDS)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def etag(user: User, reading: Reading, *, held: bool = False) -> str:
    """A strong ETag of the list as `user` sees it: the reading's list version (which moves
    with anything the list shows, the viewer's own role and name included), the viewer, and
    whether classmates' posts are held back from them (which a due date passing changes
    without a change to the list: annotations/peers)."""
    facts = f"{FORMAT}:{reading.pk}:{reading.list_version}:{reading.current_revision_id}:{user.pk}"
    facts += ":held" if held else ""
    return f'"{hashlib.sha256(facts.encode()).hexdigest()[:32]}"'


@dataclass
class Own:
    """One viewer's part of a document."""

    rows: list[dict[str, Any]]  # to present for them, with their own marks
    placeholders: list[tuple[tuple[int, int], int, bytes]]  # (sort key, thread, JSON)


@dataclass
class Part:
    """What some threads of a reading hold for an audience (`compute`)."""

    items: list[tuple[tuple[int, int], int, bytes, bool]]  # (key, thread, JSON, placeholder)
    own: dict[int, Own]  # user id -> theirs
    member_rows: list[tuple[int, int, str, str]] | None  # Presenter.member_rows, if named


@dataclass
class Document:
    """What every member of one audience sees of a reading's list, and each one's own part."""

    version: tuple[int, int]  # the list version it is at (versions.version), or later
    people: tuple[dict[int, str], dict[int, str]]  # seminar.pseudonyms.people
    member_rows: list[tuple[int, int, str, str]] | None
    audience: frozenset[int]  # who it is for (user ids)
    keys: list[tuple[int, int]]  # (created in microseconds, id) of each item, in order
    threads: array  # the thread of each item
    packed: bytes  # the items' JSON joined by commas, compressed
    ends: array  # where each item's JSON ends in the unpacked bytes
    placeholders: frozenset[int]  # the items that are placeholders
    own: dict[int, bytes]  # user id -> their `Own`, pickled and compressed, if not empty
    touching: dict[int, set[int]]  # thread -> the users whose own part holds some of it

    def own_part(self, user_id: int) -> Own:
        packed = self.own.get(user_id)
        return pickle.loads(zlib.decompress(packed)) if packed else Own([], [])  # noqa: S301


def dumps(item: dict[str, Any]) -> bytes:
    return json.dumps(item, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def sort_key(item: dict[str, Any]) -> tuple[int, int]:
    return ((item["created"] - EPOCH) // MICROSECOND, item["id"])


def thread_of(row: dict[str, Any]) -> int:
    return row["thread_id"] or row["id"]


def audience_key(user: User, reading: Reading) -> str:
    seminar = reading.seminar
    role = role_in(user, seminar)
    return f"{role}:{int(can_moderate(user, seminar))}:{int(sees_names(user, seminar))}"


def list_body(user: User, reading: Reading, *, view: ListView | None = None) -> bytes:
    """The JSON body of GET /api/readings/{id}/annotations for `user`, who may see the
    reading (fetched by access.access_reading_for_list). `view`: how their list differs from
    their audience's (annotations/peers), if known. A list of their own (classmates' posts
    held back, or a reading discussed in groups) is made the long way, never from the
    audience's document."""
    view = view or list_view(user, reading)
    if view.own:
        held = held_back_count(user, reading) if view.held else None
        return full_body(user, reading, held_back=held)
    key = f"annotations:list:{FORMAT}:{reading.pk}:{audience_key(user, reading)}"
    found = _document(key, user, reading)
    if found is None:
        return full_body(user, reading)
    document, shared = found
    role = role_in(user, reading.seminar)
    if user.pk not in document.audience or document.people[0].get(user.pk) != role:
        # Their role changed between the version this request read and the document's.
        return full_body(user, reading)
    presenter = Presenter(
        user, reading, known_people=document.people, known_members=document.member_rows
    )
    return body(reading, *overlay(document, presenter, user, shared=shared))


def _document(key: str, user: User, reading: Reading) -> tuple[Document, bytes] | None:
    """The audience's document at the reading's list version and its shared items unpacked:
    this worker's near copy at that version, else the shared cache's, brought up to date
    (and kept) if it is behind. None if the viewer's role changed meanwhile."""
    found = NEAR.get(f"{key}:{reading.list_version}")
    if found is not None:
        return found
    document = cache.get(key)
    if document is None or document.version != reading.list_version:
        document = brought_up_to_date(document, user, reading)
        if document is None:
            return None
        cache.set(key, document, CACHE_SECONDS)
    found = (document, zlib.decompress(document.packed))
    NEAR.put(f"{key}:{document.version}", found)
    return found


def full_body(user: User, reading: Reading, *, held_back: int | None = None) -> bytes:
    """The list the long way: every visible row, presented for `user`."""
    items = Presenter(user, reading).present_all(visible_rows(user, reading))
    return body(reading, [dumps(item) for item in items], len(items), held_back=held_back)


def body(reading: Reading, runs: list[bytes], count: int, *, held_back: int | None = None) -> bytes:
    """`held_back`: how many classmates' posts are held back from the viewer (None: none
    are, they see the class)."""
    revision = "null" if reading.current_revision_id is None else reading.current_revision_id
    held_back = "null" if held_back is None else held_back
    head = (
        f'{{"reading":{reading.pk},"revision":{revision},"count":{count},'
        f'"held_back":{held_back},"items":['
    )
    return b"".join((head.encode(), b",".join(runs), b"]}"))


def teaches(presenter: Presenter) -> bool:
    return presenter.my_role in STAFF_ROLES


def brought_up_to_date(document: Document | None, user: User, reading: Reading) -> Document | None:
    """`document` (or none) at the reading's list version: patched where only some threads
    changed since its version, else made whole. None if the viewer's role changed since
    this request read it (the version moved again: nothing is cached for it)."""
    changed = None if document is None else changed_threads(document.version, reading)
    if changed is None:
        document = None
        presenter = Presenter(user, reading)
    else:
        presenter = Presenter(
            user, reading, known_people=document.people, known_members=document.member_rows
        )
    if presenter.my_role != role_in(user, reading.seminar):
        return None
    # Thousands of short-lived dicts, none in a cycle: a collection they set off would walk
    # the whole heap of the web process (as in anchoring.reanchor). Collect afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        part = compute(presenter, reading, changed)
        return merged(document, part, changed, presenter, reading.list_version)
    finally:
        if collecting:
            gc.enable()


def changed_threads(
    since: tuple[int, int], reading: Reading, *, at_most: int = PATCH_AT_MOST
) -> set[int] | None:
    """The threads changed between version `since` and the reading's, or None if the
    document must be made whole: a change to everything, too many threads, or changes that
    do not add up to the difference in count (one committed after a later one was read)."""
    (newest, count), (now_newest, now_count) = since, reading.list_version
    missing = now_count - count
    if missing <= 0 or now_newest <= newest or missing > 4 * at_most:
        return None
    after = ListChange.objects.filter(reading_id=reading.pk, id__gt=newest, id__lte=now_newest)
    threads = list(after.values_list("thread_id", flat=True)[: missing + 1])
    if len(threads) != missing or None in threads:
        return None
    changed = set(threads)
    return changed if len(changed) <= at_most else None


def compute(presenter: Presenter, reading: Reading, threads: set[int] | None) -> Part:
    """What these threads (None: all) hold for `presenter`'s audience."""
    teaching = teaches(presenter)
    posts = Annotation.objects.filter(reading=reading)
    if threads is not None:
        posts = posts.filter(Q(pk__in=threads) | Q(thread_id__in=threads))
    found, beyond = [], []  # what all the audience sees; what some of it sees besides
    facts = ("to_all", "to_author", "to_starter", "thread__author_id")
    seen = posts.seen_by_audience(teaching=teaching).order_by("created", "id")
    for row in rows(seen, None, also=facts):
        if row["to_all"]:
            found.append(row)
        elif row["to_author"] or row["to_starter"]:
            beyond.append(row)
    named = any('class="mention"' in row["html"] for row in (*found, *beyond))
    member_rows = presenter.member_rows if named else None
    items = presenter.for_audience().present_all(found)
    listed = {item["id"] for item in items}
    return Part(
        items=[(sort_key(i), i["thread"], dumps(i), i["placeholder"]) for i in items],
        own=own_parts(presenter, reading, found, beyond, listed, member_rows, threads),
        member_rows=member_rows,
    )


def own_parts(
    presenter: Presenter,
    reading: Reading,
    found: list[dict[str, Any]],
    beyond: list[dict[str, Any]],
    listed: set[int],
    member_rows: list[tuple[int, int, str, str]] | None,
    threads: set[int] | None,
) -> dict[int, Own]:
    """{user id: their `Own`} in these threads, for each member of the audience who has one.
    `found`: the audience's rows; `beyond`: the rest some of them see; `listed`: the shared
    items' ids; `member_rows`: the seminar's members if some post names one."""
    audience = {u for u, role in presenter.roles.items() if role == presenter.my_role}
    chosen: dict[int, dict[int, dict[str, Any]]] = {}  # user id -> {post id: row}

    def give(user_id, row):
        if user_id in audience:
            chosen.setdefault(user_id, {})[row["id"]] = row

    for row in found:
        give(row["author_id"], row)
    for row in beyond:
        if row["to_author"]:
            give(row["author_id"], row)
        if row["to_starter"]:
            give(row["thread__author_id"], row)
    marks = marks_of(reading, threads)
    by_id = {row["id"]: row for row in found}
    for user_id, post_id in {*marks["vote"], *marks["flag"]}:
        if post_id in by_id:  # a post they marked and may no longer see stays as it is
            give(user_id, by_id[post_id])
    if member_rows and not presenter.names_visible:
        # Where peers go by pseudonyms, a member sees their own name where they are named.
        user_of = {membership: user_id for membership, user_id, _, _ in member_rows}
        for row in found:
            for membership in CHIP.findall(row["html"]):
                if user_of.get(int(membership)) is not None:
                    give(user_of[int(membership)], row)
    # The placeholders each one's posts need, from one query for all their threads.
    needing = {
        user_id: [
            {"parent": row["parent_id"], "thread": thread_of(row)}
            for row in mine.values()
            if row["parent_id"] and row["parent_id"] not in listed and row["parent_id"] not in mine
        ]
        for user_id, mine in chosen.items()
    }
    wanted = {item["thread"] for items in needing.values() for item in items}
    places = presenter.places(wanted) if wanted else {}
    parts = {}
    for user_id, mine in chosen.items():
        holders = presenter.placeholders(needing[user_id], listed | set(mine), places)
        parts[user_id] = Own(
            rows=[
                {
                    **row,
                    "voted_by_me": (user_id, post_id) in marks["vote"],
                    "flagged_by_me": (user_id, post_id) in marks["flag"],
                }
                for post_id, row in mine.items()
            ],
            placeholders=[(sort_key(item), item["thread"], dumps(item)) for item in holders],
        )
    return parts


def marks_of(reading: Reading, threads: set[int] | None) -> dict[str, set[tuple[int, int]]]:
    """{"vote": {(user id, post id)}, "flag": {...}}: who marked or flagged what on the
    reading (in these threads; None: all), in one query."""
    marks: dict[str, set[tuple[int, int]]] = {"vote": set(), "flag": set()}
    on = Q(annotation__reading=reading)
    if threads is not None:
        on &= Q(annotation__in=threads) | Q(annotation__thread__in=threads)
    votes = Vote.objects.filter(on).annotate(mark=Value("vote"))
    flags = Flag.objects.filter(on).annotate(mark=Value("flag"))
    fields = ("user_id", "annotation_id", "mark")
    union = (
        votes.order_by().values_list(*fields).union(flags.order_by().values_list(*fields), all=True)
    )
    for user_id, post_id, mark in union:
        marks[mark].add((user_id, post_id))
    return marks


def merged(
    document: Document | None,
    part: Part,
    threads: set[int] | None,
    presenter: Presenter,
    version: int,
) -> Document:
    """`document` with these threads (None: all, and no document) replaced by `part`."""
    kept: list[tuple[tuple[int, int], int, bytes, bool]] = []
    own = {}
    touching: dict[int, set[int]] = {}
    if document is not None and threads is not None:
        shared, ends = zlib.decompress(document.packed), document.ends
        for at, (key, thread) in enumerate(zip(document.keys, document.threads, strict=True)):
            if thread not in threads:
                start = ends[at - 1] + 1 if at else 0
                kept.append(
                    (key, thread, shared[start : ends[at]], key[1] in document.placeholders)
                )
        own = dict(document.own)
        touching = {t: users for t, users in document.touching.items() if t not in threads}
        # Everyone with something in these threads, before or now, and something else kept.
        changed = {u for t in threads for u in document.touching.get(t, ())} | set(part.own)
        for user_id in changed & set(document.own):
            before = document.own_part(user_id)
            rest = Own(
                rows=[row for row in before.rows if thread_of(row) not in threads],
                placeholders=[p for p in before.placeholders if p[1] not in threads],
            )
            mine = part.own.setdefault(user_id, Own([], []))
            mine.rows += rest.rows
            mine.placeholders += rest.placeholders
    items = sorted([*kept, *part.items])
    ends, end = array("q"), -1
    for _, _, blob, _ in items:
        end += 1 + len(blob)
        ends.append(end)
    for user_id, mine in part.own.items():
        if mine.rows or mine.placeholders:
            own[user_id] = zlib.compress(pickle.dumps(mine), 1)
        else:
            own.pop(user_id, None)
        for thread in {*(thread_of(r) for r in mine.rows), *(p[1] for p in mine.placeholders)}:
            touching.setdefault(thread, set()).add(user_id)
    member_rows = part.member_rows or (document.member_rows if document else None)
    return Document(
        version=version,
        people=(presenter.roles, presenter.pseudonyms),
        member_rows=member_rows,
        audience=frozenset(u for u, role in presenter.roles.items() if role == presenter.my_role),
        keys=[item[0] for item in items],
        threads=array("q", (item[1] for item in items)),
        packed=zlib.compress(b",".join(item[2] for item in items), 1),
        ends=ends,
        placeholders=frozenset(item[0][1] for item in items if item[3]),
        own=own,
        touching=touching,
    )


def overlay(
    document: Document, presenter: Presenter, user: User, *, shared: bytes | None = None
) -> tuple[list[bytes], int]:
    """The shared items (`shared`: unpacked already) with the viewer's own part put in, as
    runs of JSON to join with commas, and how many items they hold. No query."""
    own = document.own_part(user.pk)
    # (at, 0: goes before the shared item at `at` | 1: replaces it, its sort key, its JSON)
    changes = []
    index = {post_id: at for at, (_, post_id) in enumerate(document.keys)}
    for row in own.rows:
        item = presenter.present(row)
        key, at = sort_key(item), index.get(item["id"])
        if at is None:
            changes.append((bisect.bisect(document.keys, key), 0, key, dumps(item)))
        else:
            changes.append((at, 1, key, dumps(item)))
    for key, _, blob in own.placeholders:
        changes.append((bisect.bisect(document.keys, key), 0, key, blob))
    if shared is None:
        shared = zlib.decompress(document.packed)
    if not changes:
        return [shared], len(document.keys)
    changes.sort()
    ends = document.ends
    runs, start = [], 0  # the next shared item to copy

    def copy_until(at):
        if at > start:
            runs.append(shared[ends[start - 1] + 1 if start else 0 : ends[at - 1]])

    for at, replaces, _, blob in changes:
        copy_until(at)
        runs.append(blob)
        start = max(start, at + replaces)
    copy_until(len(ends))
    added = sum(1 for change in changes if not change[1])
    return runs, len(ends) + added
