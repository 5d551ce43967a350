"""Export lines written by PostgreSQL: the export's own SELECT, wrapped in one that makes
each annotation's text in the format at hand (CSV in `csvsql`, JSON-LD in `jsonldsql`).

Python spent most of an export building dicts and encoding them a field at a time; the
database writes the same bytes at close to the speed of `COPY`. What decides how people are
named stays in Python: `People.credit` and `People.author_role` run once per author, and the
query gets the answers as JSON; a post whose text mentions someone comes with its text apart
(and where it goes), which `People.mention_names` names and the format's writer puts in; a
post by an author missing from those answers is written by the format's Python. Tombstones,
`dropped` posts and withheld scores follow `Scope.annotation_rows`, and tests hold both
paths to the same bytes.
"""

import json
import re
from collections.abc import Iterator

from annotations.export.snapshot import LIST_FIELDS, raw_chunks
from annotations.models import Status
from annotations.rendering import mention_text
from seminar.models import User


def _authors(scope):
    """{author id: [name, role, group]} as the export shows them, for every author in the
    scope."""
    people = scope.people
    ids = scope.annotations().order_by().values_list("author_id", flat=True).distinct()
    authors = User.objects.filter(pk__in=list(ids)).values_list("pk", "display_name", "username")
    return {
        str(pk): [
            people.name(pk, display, username),
            people.author_role({"author_id": pk, "author_name": ""}),
            people.author_group({"author_id": pk}),
        ]
        for pk, display, username in authors
    }


def tombstone(scope):
    """SQL true for a row whose words the export leaves out (`Scope.annotation_rows`)."""
    return "false" if scope.evidence else f"(a.status = '{Status.DELETED}')"


def words(scope):
    """SQL of the row's text as the export gives it: none for a tombstone."""
    return f"(CASE WHEN {tombstone(scope)} THEN '' ELSE a.text END)"


def mentioning(scope):
    """SQL true for a row whose exported text mentions someone (named in Python)."""
    return f"(strpos(a.text, '@[member:') > 0 AND NOT {tombstone(scope)})"


def _derived(scope, *, scored):
    """What takes more than a column, computed once per row (SQL, by name), over `a`."""
    tomb = tombstone(scope)
    owner_export = scope.owner is not None
    # A tombstone, in others' exports, names no author.
    anonymous = "false" if owner_export else tomb
    author_name = f"(CASE WHEN {anonymous} THEN '' ELSE coalesce(a.author_name, '') END)"
    known = f"(a.author_id IS NOT NULL AND NOT {anonymous})"
    derived = {
        "body": words(scope),
        "credit": f"CASE WHEN {known} THEN %(authors)s::jsonb -> a.author_id::text ->> 0 "
        f"WHEN {author_name} <> '' OR a.status = '{Status.DELETED}' THEN {author_name} "
        "ELSE 'Unknown' END",
        "role": f"CASE WHEN {known} THEN %(authors)s::jsonb -> a.author_id::text ->> 1 "
        f"WHEN {author_name} <> '' THEN 'imported' ELSE '' END",
        "author_group": f"CASE WHEN {known} THEN %(authors)s::jsonb -> a.author_id::text ->> 2 "
        "ELSE '' END",
        # A tombstone keeps no note of how its question was closed (Scope.annotation_rows).
        "question_note": f"(CASE WHEN {tomb} THEN '' ELSE a.resolution_note END)",
        # Mentions are named in Python: the line comes without that text.
        "mentions": mentioning(scope),
        # An author who posted after `_authors` read them: Python writes that row.
        "stale": f"{known} AND NOT jsonb_exists(%(authors)s::jsonb, a.author_id::text)",
    }
    if scored:
        withheld = "NOT (a.reading_id = ANY(%(released)s::bigint[]))" if owner_export else "false"
        derived["score"] = f"CASE WHEN {withheld} THEN NULL ELSE a.score_value END"
        derived["comment"] = f"CASE WHEN {withheld} THEN NULL ELSE a.score_comment END"
    return derived


def _column(name):
    """A column of the wrapped SELECT: Django's field path as an SQL identifier."""
    return name.replace("__", "_")


def query(scope, *, select, scored, extra, params):
    """The SQL and named parameters of `SELECT <select> FROM` the scope's annotations in
    thread order, as `b`: their LIST_FIELDS (relations with "_": `b.revision_number`),
    times as ISO text (`b.created_text`), `b.tags` (JSON), the `_derived` columns and
    `extra` ({name: SQL over `a`}); `params` are those `select` and `extra` use."""
    queryset, names = scope._annotation_query(
        order="thread", scored=scored, fields=LIST_FIELDS, text_times=True
    )
    names = (*names, "tags")  # the JSON itself, beside the text of it
    inner, inner_params = queryset.values_list(*names).query.sql_with_params()
    dropped = sorted(scope.dropped)
    params = dict(
        params,
        authors=json.dumps(_authors(scope)),
        released=sorted(scope.released) if scope.owner is not None else [],
        dropped=dropped,
    )
    inner = named_params(inner, inner_params, params)
    columns = ", ".join(f'"{_column(n)}"' for n in names)
    derived = {**_derived(scope, scored=scored), **extra}
    computed = ", ".join(f"{sql} AS {name}" for name, sql in derived.items())
    where = "WHERE NOT (a.id = ANY(%(dropped)s::bigint[]))" if dropped else ""
    # OFFSET 0 keeps the middle query whole: flattened, each derived column would be
    # computed once per use. Neither level joins or sorts: rows keep the inner ORDER BY.
    sql = (
        f"SELECT {select}, b.stale, b.id "  # noqa: S608 (constants, names and parameters)
        f"FROM (SELECT a.*, {computed} FROM ({inner}) AS a({columns}) {where} OFFSET 0) AS b"
    )
    return sql, params


def named_params(sql, positional, params):
    """`sql` with its positional parameters named (and added to `params`): psycopg takes
    named or positional parameters, not both, and the wrapping query's are named."""
    positions = iter(range(len(positional)))

    def named(match):
        if match.group() == "%%":
            return "%%"
        n = next(positions)
        params[f"inner{n}"] = positional[n]
        return f"%(inner{n})s"

    return re.sub(r"%%|%s", named, sql)


def texts(sql, params, *, people, text, redo) -> Iterator[list[str]]:
    """The text of each row of `sql` (line, at, raw, stale, id), a list per chunk of rows:
    `line` as it is; for a post that mentions someone, with `text(raw, named)` put in at `at`
    (code points); for a `stale` one, `redo(id)` (None: gone since)."""

    def slow(line, at, raw, stale, pk):
        if stale:
            return redo(pk)
        return line[:at] + text(mention_text(raw, people.mention_names)) + line[at:]

    for chunk in raw_chunks(sql, params):
        lines = [
            line if at is None and not stale else slow(line, at, raw, stale, pk)
            for line, at, raw, stale, pk in chunk
        ]
        yield [line for line in lines if line is not None] if None in lines else lines


def encoded(pieces: Iterator[list[str]], *, size=64 * 1024) -> Iterator[bytes]:
    """Lists of texts, encoded and joined into chunks of at least `size` characters."""
    pending, length = [], 0
    for texts in pieces:
        pending.extend(texts)
        length += sum(map(len, texts))
        if length >= size:
            yield "".join(pending).encode()
            pending, length = [], 0
    if pending:
        yield "".join(pending).encode()
