"""The two databases' full-text engines, behind one shape: `page` (the ranked keys of one
page and how many match) and `snippets` (the marked words of those keys).

The services take the matching posts' ids from here into `Annotation.objects.visible_to`
(and the scores as a correlated subquery), and readings only of those the searcher may see:
the index is only ever read joined to what the searcher may see, so a count, a rank or a
snippet is made of visible rows alone.

Ranking uses each entry's own words and nothing about the others: PostgreSQL's
`ts_rank_cd` (cover density, weights A–D, divided by 1 + log(length)) does so already.
SQLite's `bm25()` weighs terms by how many rows of the whole table hold them, private notes
and other seminars included, so a crafted query could sense words the searcher may not see
in how its results are ordered; SQLite ranks by BM25's own formula without those
statistics instead: per column, hits·(k1 + 1) / (hits + k1·(1 − b + b·length / typical)),
hits counted by FTS5's `highlight()`, the typical lengths fixed below.
"""

# ruff: noqa: S608 (the statements are our own table and column names; user text is a parameter)

from __future__ import annotations

from annotations.search.index import CONFIG, READING_CHARS, TABLE
from annotations.search.query import Query
from annotations.search.snippets import START, STOP

Part = tuple[str, list]  # SQL selecting (key, score) of matching rows, and its parameters


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


class Engine:
    key: str  # the entry's key, as SQL: a post's id, or minus a reading's

    def match(self, query: Query) -> Part:
        raise NotImplementedError

    def score(self, query: Query) -> Part:
        """The score of the entry in FROM, best highest."""
        raise NotImplementedError

    def post_keys(self, query: Query, reading_ids) -> Part:
        """The ids of the posts of `reading_ids` that match: the services keep those the
        searcher may see, which is how no other row is ever counted, ranked or shown."""
        match, params = self.match(query)
        return (
            f"SELECT {self.key} FROM {TABLE} WHERE {match} AND {self.key} > 0 "
            f"AND {TABLE}.reading_id IN ({_marks(reading_ids)})",
            [*params, *reading_ids],
        )

    def post_score(self, query: Query) -> Part:
        """The score of the post of the outer query (annotations_annotation)."""
        match, match_params = self.match(query)
        score, score_params = self.score(query)
        return (
            f"SELECT {score} FROM {TABLE} WHERE {match} AND "
            f'{self.key} = "annotations_annotation"."id"',
            [*score_params, *match_params],
        )

    def readings(self, query: Query, reading_ids) -> Part:
        """(key, score) of the matching readings of `reading_ids` (all visible)."""
        match, match_params = self.match(query)
        score, score_params = self.score(query)
        return (
            f"SELECT {self.key}, {score} FROM {TABLE} WHERE {match} "
            f"AND {self.key} < 0 AND {TABLE}.reading_id IN ({_marks(reading_ids)})",
            [*score_params, *match_params, *reading_ids],
        )

    def page(self, cursor, parts: list[Part], *, limit: int, offset: int):
        """[(key, score)] of one page, best first, and the number of matches (None when the
        page is past the end: `count` says)."""
        if not parts:
            return [], 0
        union = " UNION ALL ".join(sql for sql, _ in parts)
        params = [p for _, part in parts for p in part]
        cursor.execute(
            f"SELECT hits.*, count(*) OVER () FROM ({union}) AS hits "
            "ORDER BY 2 DESC, 1 DESC LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        rows = cursor.fetchall()
        if not rows:
            return [], None if offset else 0
        return [(key, float(score or 0)) for key, score, _ in rows], rows[0][2]

    def count(self, cursor, parts: list[Part]) -> int:
        union = " UNION ALL ".join(sql for sql, _ in parts)
        cursor.execute(
            f"SELECT count(*) FROM ({union}) AS hits",
            [p for _, part in parts for p in part],
        )
        return cursor.fetchone()[0]

    def snippets(self, cursor, *, query: Query, keys: list[int]) -> dict[int, str]:
        raise NotImplementedError


class PostgreSQL(Engine):
    key = f"{TABLE}.key"
    # MaxFragments=0: one stretch of words, as a result list shows.
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=32, MinWords=14, ShortWord=2"

    def _tsquery(self, query: Query) -> tuple[str, list]:
        return f"websearch_to_tsquery('{CONFIG}'::regconfig, %s)", [query.websearch()]

    def match(self, query):
        tsquery, params = self._tsquery(query)
        return f"{TABLE}.document @@ {tsquery}", params

    def score(self, query):
        tsquery, params = self._tsquery(query)
        return f"ts_rank_cd({TABLE}.document, {tsquery}, 1)", params

    def snippets(self, cursor, *, query, keys):
        posts = [k for k in keys if k > 0]
        readings = [-k for k in keys if k < 0]
        tsquery, query_params = self._tsquery(query)

        def headline(text: str) -> str:
            # ts_headline's parser takes "<show>" for an HTML tag and drops it: the angle
            # brackets go in as characters 3 and 4 (snippets.to_html puts them back).
            clean = (
                f"replace(replace(translate({text}, chr(1) || chr(2) || chr(3) || chr(4), ''), "
                "'<', chr(3)), '>', chr(4))"
            )
            return f"ts_headline('{CONFIG}'::regconfig, {clean}, {tsquery}, %s)"

        one = [*query_params, self.options]
        parts, params = [], []
        if posts:
            tags = (
                "array_to_string(ARRAY(SELECT jsonb_array_elements_text(CASE WHEN "
                "jsonb_typeof(a.tags) = 'array' THEN a.tags ELSE '[]'::jsonb END)), ', ')"
            )
            parts.append(
                f"SELECT a.id, {headline('a.text')}, {headline('a.quote_exact')}, "
                f"{headline(tags)} FROM annotations_annotation a "
                f"WHERE a.id IN ({_marks(posts)})"
            )
            params += [*one, *one, *one, *posts]
        if readings:
            parts.append(
                f"SELECT -r.id, {headline(f'left(v.text, {READING_CHARS})')}, "
                f"{headline('r.title')}, '' FROM seminar_reading r "
                "JOIN seminar_readingrevision v ON v.id = r.current_revision_id "
                f"WHERE r.id IN ({_marks(readings)})"
            )
            params += [*one, *one, *readings]
        if not parts:
            return {}
        cursor.execute(" UNION ALL ".join(parts), params)
        found = {}
        for key, *candidates in cursor.fetchall():
            marked = [c for c in candidates if c and START in c]
            found[key] = (marked or candidates)[0] or ""
        return found


class SQLite(Engine):
    key = f"{TABLE}.rowid"
    # (column, weight, typical length in characters); b = 0.75, k1 = 1.2.
    columns = (
        (0, "body", 1.0, 400),
        (1, "tags", 0.6, 24),
        (2, "quote", 0.4, 80),
        (3, "title", 1.2, 60),
    )

    def match(self, query):
        return f"{TABLE} MATCH %s", [query.fts5()]

    def score(self, query):
        terms = []
        for number, column, weight, typical in self.columns:
            hits = f"(length(highlight({TABLE}, {number}, char(1), '')) - length({column}))"
            norm = f"(0.3 + 0.9 * length({column}) / {typical}.0)"  # k1·(1 − b + b·len/typ)
            terms.append(f"({weight} * {hits} * 2.2 / ({hits} + {norm}))")
        return " + ".join(terms), []

    def snippets(self, cursor, *, query, keys):
        if not keys:
            return {}
        match, params = self.match(query)
        cursor.execute(
            f"SELECT rowid, snippet({TABLE}, -1, char(1), char(2), '…', 24) FROM {TABLE} "
            f"WHERE {match} AND rowid IN ({', '.join(['%s'] * len(keys))})",
            [*params, *keys],
        )
        return dict(cursor.fetchall())


def engine_for(connection) -> Engine:
    if connection.vendor == "postgresql":
        return PostgreSQL()
    if connection.vendor == "sqlite":
        return SQLite()
    raise NotImplementedError(f"No search for {connection.vendor}.")
