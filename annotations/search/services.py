"""Search in a seminar: posts (annotations, page comments, replies: their text, tags and the
passage they quote) and the text of readings, ranked, with snippets (docs/search.md).

One function, `search`, over both databases (engines.py): it finds only what the reading
page would show the searcher, because it asks the same QuerySets, never a rule of its own.
Posts come from `Annotation.objects.visible_to(user)` and readings from
`Reading.objects.visible_to(user)` (drafts are for the staff), and the index is read joined
to them, so that nothing the searcher may not see counts, ranks or shows in a snippet. A
deleted post is never found, tombstone or not (the index holds no deleted post either).
Authors are named by the presenter, pseudonyms and all, and the `author` filter cannot be
used to learn who is behind a pseudonym: where the searcher sees pseudonyms it takes only
`me`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL

from annotations.models import Annotation, Kind, Status
from annotations.permissions import sees_names
from annotations.presenting import Presenter
from annotations.search import snippets
from annotations.search.engines import engine_for
from annotations.search.query import parse
from seminar.errors import ServiceError
from seminar.models import Membership, Reading
from seminar.pseudonyms import people

if TYPE_CHECKING:
    from seminar.models import Seminar, User

PAGE_SIZE = 20
MAX_QUERY_CHARS = 1_000
MAX_PAGE = 500
# `kind`: one kind of post, any post ("annotation"), or only readings' text ("reading").
POSTS, READINGS = "annotation", "reading"
KINDS = (POSTS, READINGS, *Kind.values)

TAG_CONDITION = {
    "postgresql": (
        "EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof("
        '"annotations_annotation"."tags") = \'array\' THEN "annotations_annotation"."tags" '
        "ELSE '[]'::jsonb END) AS t WHERE lower(t) = lower(%s))"
    ),
    "sqlite": (
        'EXISTS (SELECT 1 FROM json_each("annotations_annotation"."tags") '
        "WHERE lower(value) = lower(%s))"
    ),
}


@dataclass
class Results:
    query: str
    count: int = 0
    page: int = 1
    results: list[dict[str, Any]] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)  # what `reading` may name

    @property
    def first_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / PAGE_SIZE))


def query_check(query: str) -> str:
    if len(query) > MAX_QUERY_CHARS:
        raise ServiceError(
            f"q: the search is {len(query):,} characters long; the limit is "
            f"{MAX_QUERY_CHARS:,}. Shorten it."
        )
    return query


def _author_id(user: User, seminar: Seminar, author: str) -> int | None:
    """Whose posts `author` asks for: `me`, or, for whoever sees names, a member's username
    or membership id. Where the searcher sees pseudonyms, any other value is refused the
    same way, known or not, so no guess can be confirmed."""
    author = author.strip()
    if not author:
        return None
    if author == "me":
        return user.pk
    if not sees_names(user, seminar):
        raise ServiceError(
            "author: classmates appear under pseudonyms in this seminar; you can look "
            "for your own posts (author=me), not for someone else's."
        )
    named = Q(user__username=author)
    if author.isdigit():
        named |= Q(pk=int(author))
    found = (
        Membership.objects.filter(seminar=seminar)
        .filter(named)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    if found is None:
        raise ServiceError(
            f"author: no member of this seminar is “{author[:40]}”; give a username, a "
            "member id or me."
        )
    return found


def _matching(visible, keys):
    """`visible` kept to the posts whose ids `keys` (SQL) selects. On PostgreSQL the ids are
    read first and given as one array: as a subquery, the planner checked every post's
    visibility before it joined the few that match (60 ms at 100,000 posts, matches or not)."""
    if connection.vendor != "postgresql":
        return visible.filter(pk__in=RawSQL(*keys))  # noqa: S611
    with connection.cursor() as cursor:
        cursor.execute(*keys)
        found = [row[0] for row in cursor.fetchall()]
    condition = RawSQL('"annotations_annotation"."id" = ANY(%s)', [found], BooleanField())  # noqa: S611
    return visible.filter(condition)


def searchable_readings(*, user: User, seminar: Seminar) -> list[Reading]:
    """The seminar's readings `user` may see (and so search), in the seminar's order."""
    readings = list(
        Reading.objects.visible_to(user).filter(seminar=seminar).order_by("position", "id")
    )
    for reading in readings:
        reading.seminar = seminar  # its URL asks for the slug
    return readings


def search(
    *,
    user: User,
    seminar: Seminar,
    query: str,
    kind: str = "",
    tag: str = "",
    author: str = "",
    reading: int | None = None,
    page: int = 1,
) -> Results:
    """One page of what `user` may find in `seminar` for `query` (docs/search.md has the
    syntax), best first. Raises ServiceError naming the parameter to fix."""
    query = query_check(query.replace("\x00", ""))
    if kind and kind not in KINDS:
        raise ServiceError(f"kind: “{kind[:20]}” is not one of {', '.join(KINDS)}.")
    if not 1 <= page <= MAX_PAGE:
        raise ServiceError(f"page: give a page number from 1 to {MAX_PAGE}.")
    readings = searchable_readings(user=user, seminar=seminar)
    results = Results(query=query, page=page, readings=readings)
    by_id = {r.pk: r for r in readings}
    if reading is not None and reading not in by_id:
        raise ServiceError(f"reading: there is no reading {reading} in this seminar for you.")
    author_id = _author_id(user, seminar, author)
    parsed = parse(query)
    if not parsed or not readings:
        return results

    engine = engine_for(connection)
    ids = (reading,) if reading is not None else tuple(by_id)
    tag = " ".join(tag.split()).lstrip("#")
    parts = []
    if kind != READINGS:
        visible = Annotation.objects.visible_to(user).filter(reading_id__in=ids)
        visible = visible.exclude(status=Status.DELETED)
        if kind in Kind.values:
            visible = visible.filter(kind=kind)
        if tag:
            # Our own SQL; the tag is a parameter.
            condition = RawSQL(TAG_CONDITION[connection.vendor], [tag], BooleanField())  # noqa: S611
            visible = visible.filter(condition)
        if author_id is not None:
            visible = visible.filter(author_id=author_id)
        # The engines' own SQL, the query text a parameter (engines.py).
        visible = _matching(visible, engine.post_keys(parsed, ids))
        score = RawSQL(*engine.post_score(parsed), FloatField())  # noqa: S611
        scored = visible.annotate(search_score=score)
        sql, params = scored.order_by().values_list("pk", "search_score").query.sql_with_params()
        parts.append((sql, list(params)))
    if not (tag or author_id is not None or kind == POSTS or kind in Kind.values):
        parts.append(engine.readings(parsed, ids))

    offset = (page - 1) * PAGE_SIZE
    with connection.cursor() as cursor:
        hits, count = engine.page(cursor, parts, limit=PAGE_SIZE, offset=offset)
        if count is None:
            count = engine.count(cursor, parts)
        marked = engine.snippets(cursor, query=parsed, keys=[key for key, _ in hits])
    results.count = count
    results.results = _present(user, seminar, readings, by_id, hits, marked)
    return results


POST_FIELDS = (
    "id",
    "reading_id",
    "kind",
    "status",
    "created",
    "author_id",
    "author_name",
    "author__display_name",
    "author__username",
)


def _present(user, seminar, readings, by_id, hits, marked) -> list[dict[str, Any]]:
    post_ids = [key for key, _ in hits if key > 0]
    rows = {}
    presenter = None
    if post_ids:
        rows = {r["id"]: r for r in Annotation.objects.filter(pk__in=post_ids).values(*POST_FIELDS)}
        # Names and mentions do not depend on the reading: one presenter for the seminar.
        presenter = Presenter(user, readings[0], known_people=people(seminar))
    out = []
    for key, score in hits:
        snippet = marked.get(key, "")
        if key < 0:
            reading = by_id[-key]
            out.append(
                {
                    "type": READINGS,
                    "id": reading.pk,
                    "reading": reading.pk,
                    "title": reading.title,
                    "snippet": snippets.to_html(snippet),
                    "url": reading.get_absolute_url(),
                    "score": round(score, 6),
                    "kind": None,
                    "author": None,
                    "created": None,
                }
            )
            continue
        row = rows[key]
        reading = by_id[row["reading_id"]]
        post = Annotation(pk=key, reading=reading)
        out.append(
            {
                "type": POSTS,
                "id": key,
                "reading": reading.pk,
                "title": reading.title,
                "snippet": snippets.to_html(snippet, name_mentions=presenter.plain),
                "url": post.get_absolute_url(),
                "score": round(score, 6),
                "kind": row["kind"],
                "author": presenter.author(row),
                "created": row["created"],
            }
        )
    return out
