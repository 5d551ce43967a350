"""The CSV export's lines written by PostgreSQL: the same bytes as `csvfile.rows` through
`spreadsheets.stream_csv`, at close to the speed of `COPY`.

Python spent three quarters of a CSV export building dicts, checking cells for formulas and
quoting them. Here the export's own SELECT (`Scope._annotation_query`) is wrapped in one that
makes each row's line: text cells coalesced, given a leading apostrophe before a formula
start (`spreadsheets.FORMULA_STARTS`) and quoted as `csv.writer` quotes (QUOTE_MINIMAL:
around a comma, quote, CR or LF, quotes doubled), booleans as words, `\\r\\n` at the end.
The rules that name people stay in Python (`People.credit` and `People.author_role`, run
once per author and handed to the query as JSON), and so do mentions: a row whose text
mentions someone comes with its text apart, which `People.mention_names` names here.
"""

import json
import re

from annotations.export.snapshot import LIST_FIELDS, raw_tuples
from annotations.models import Status
from annotations.rendering import mention_text
from annotations.spreadsheets import FORMULA_STARTS, safe_text

# One character per alternative; the apostrophe doubled for SQL.
_FORMULA_SQL = ", ".join("E'" + repr(c)[1:-1] + "'" for c in FORMULA_STARTS)
_NEEDS_QUOTES = ',"\r\n'
# A cell that starts like a formula or holds a character that needs quotes.
_UNUSUAL = "E'^[=+\\\\-@\\t\\r]|[,\"\\r\\n]'"


def _text(expr):
    """A text cell: '' for NULL, an apostrophe before a formula, CSV-quoted. One regular
    expression tells the usual cell, written as it is, from the rest."""
    special = f"{expr} ~ E'[,\"\\r\\n]'"
    doubled = f"replace({expr}, '\"', '\"\"')"
    return (
        f"(CASE WHEN {expr} ~ {_UNUSUAL} THEN "
        f"(CASE WHEN left({expr}, 1) IN ({_FORMULA_SQL}) THEN (CASE WHEN {special} "
        f"THEN '\"''' || {doubled} || '\"' ELSE '''' || {expr} END) "
        f"ELSE '\"' || {doubled} || '\"' END) "
        f"ELSE coalesce({expr}, '') END)"
    )


def _number(expr):
    return f"coalesce(({expr})::text, '')"


def _word(expr):
    return f"(CASE WHEN {expr} THEN 'true' ELSE 'false' END)"


def quoted(text):
    """A cell as `csv.writer` writes it among others (QUOTE_MINIMAL)."""
    if any(c in text for c in _NEEDS_QUOTES):
        return '"' + text.replace('"', '""') + '"'
    return text


def _authors(scope):
    """{author id: [name, role]} as the export shows them, for every author in the scope."""
    people = scope.people
    authors = (
        scope.annotations()
        .filter(author__isnull=False)
        .values_list("author_id", "author__display_name", "author__username")
        .order_by()  # no default ordering among the DISTINCT columns
        .distinct()
    )
    return {
        str(pk): [
            people.name(pk, display, username),
            people.author_role({"author_id": pk, "author_name": ""}),
        ]
        for pk, display, username in authors
    }


def _derived(*, evidence, owner_export):
    """The cells that take more than a column, computed once per row (SQL, by name)."""
    tomb = "false" if evidence else f"(a.status = '{Status.DELETED}')"
    # A tombstone, in others' exports, names no author (as `Scope.annotation_rows` does).
    anonymous = "false" if owner_export else tomb
    author_name = f"(CASE WHEN {anonymous} THEN '' ELSE coalesce(a.author_name, '') END)"
    known = f"(a.author_id IS NOT NULL AND NOT {anonymous})"
    withheld = "NOT (a.reading_id = ANY(%(released)s::bigint[]))" if owner_export else "false"
    return {
        "title": "%(titles)s::jsonb ->> a.reading_id::text",
        "tag_list": f"CASE WHEN {tomb} THEN '' ELSE array_to_string(ARRAY(SELECT t.value FROM "  # noqa: S608 (constants)
        "jsonb_array_elements_text(a.tags) WITH ORDINALITY AS t(value, n) "
        "ORDER BY t.n), '; ') END",
        "body": f"CASE WHEN {tomb} THEN '' ELSE a.text END",
        "credit": f"CASE WHEN {known} THEN %(authors)s::jsonb -> a.author_id::text ->> 0 "
        f"WHEN {author_name} <> '' OR a.status = '{Status.DELETED}' THEN {author_name} "
        "ELSE 'Unknown' END",
        "role": f"CASE WHEN {known} THEN %(authors)s::jsonb -> a.author_id::text ->> 1 "
        f"WHEN {author_name} <> '' THEN 'imported' ELSE '' END",
        "score": f"CASE WHEN {withheld} THEN NULL ELSE a.score_value END",
        "comment": f"CASE WHEN {withheld} THEN NULL ELSE a.score_comment END",
        # Mentions are named in Python: the line comes without its text cell.
        "mentions": f"strpos(a.text, '@[member:') > 0 AND NOT {tomb}",
    }


HEAD = (  # the cells before the text, in csvfile.HEADER's order
    _number("b.id"),
    _text("b.title"),
    _number("coalesce(b.thread_id, b.id)"),
    _number("b.parent_id"),
    _text("b.kind"),
    _text("b.quote_exact"),
    _number("b.start"),
    _number('b."end"'),
    _number(
        "CASE WHEN b.start IS NOT NULL THEN b.anchored_revision_number ELSE b.revision_number END"
    ),
    _text("b.anchor_status"),
    _text("b.tag_list"),
)
TAIL = (  # the cells after it
    _text("b.credit"),
    _text("b.role"),
    _text("b.visibility"),
    _text("b.status"),
    _word("b.pinned"),
    _word("b.locked"),
    _text("b.moderation_reason"),
    # ISO 8601 as IsoText writes it: digits, "-", ":", "T", "." and "+", never quoted.
    "coalesce(b.created_text, '')",
    "coalesce(b.updated_text, '')",
    "coalesce(b.edited_text, '')",
    _number("coalesce(b.marks, 0)"),
    _number("b.score"),
    _text("b.comment"),
)
# concat_ws writes the line in one go (its cells are never NULL): a chain of || copies it
# once per cell.
_HEAD_SQL = "concat_ws(',', " + ", ".join(HEAD) + ")"
LINE = (
    f"concat_ws(',', {', '.join(HEAD)}, "
    f"CASE WHEN b.mentions THEN '' ELSE {_text('b.body')} END, {', '.join(TAIL)}) || E'\\r\\n', "
    f"CASE WHEN b.mentions THEN length({_HEAD_SQL}) + 1 END, "
    "CASE WHEN b.mentions THEN b.body END"
)


# The wrapped SELECT's columns, in the order of `Scope._annotation_query(fields=LIST_FIELDS,
# text_times=True, scored=True)`: Django's names made SQL identifiers.
def _column(name):
    return name.replace("__", "_")


def _sql(scope):
    """The query and its (named) parameters: rows of (line, where its text goes, text)."""
    queryset, names = scope._annotation_query(
        order="thread", scored=True, fields=LIST_FIELDS, text_times=True
    )
    names = (*names, "tags")  # the JSON itself, beside the text of it
    inner, inner_params = queryset.values_list(*names).query.sql_with_params()
    owner_export = scope.owner is not None
    derived = _derived(evidence=scope.evidence, owner_export=owner_export)
    dropped = sorted(scope.dropped)
    params = {
        "titles": json.dumps({str(r.pk): r.title for r in scope.readings}),
        "authors": json.dumps(_authors(scope)),
        "released": sorted(scope.released) if owner_export else [],
        "dropped": dropped,
    }
    # psycopg takes named or positional parameters, not both: Django's are named here.
    positions = iter(range(len(inner_params)))

    def named(match):
        if match.group() == "%%":
            return "%%"
        n = next(positions)
        params[f"inner{n}"] = inner_params[n]
        return f"%(inner{n})s"

    inner = re.sub(r"%%|%s", named, inner)
    columns = ", ".join(f'"{_column(n)}"' for n in names)
    computed = ", ".join(f"{sql} AS {name}" for name, sql in derived.items())
    where = "WHERE NOT (a.id = ANY(%(dropped)s::bigint[]))" if dropped else ""
    # OFFSET 0 keeps the middle query whole: flattened, each derived cell would be computed
    # once per use. Neither level joins or sorts, so the rows keep the inner ORDER BY.
    sql = (
        f"SELECT {LINE} FROM (SELECT a.*, {computed} FROM ({inner}) AS a({columns}) {where} "  # noqa: S608
        "OFFSET 0) AS b"
    )
    return sql, params


def stream(scope, *, header, excel=False, size=64 * 1024):
    """The CSV export (`header`, then a line per annotation), encoded, in chunks of about
    `size` bytes."""
    sql, params = _sql(scope)
    people = scope.people
    pending = ["\ufeff"] if excel else []
    pending.append(",".join(quoted(safe_text(name)) for name in header) + "\r\n")
    length = 0
    for line, at, text in raw_tuples(sql, params):
        if at is not None:
            cell = quoted(safe_text(mention_text(text, people.mention_names)))
            line = line[:at] + cell + line[at:]
        pending.append(line)
        length += len(line)
        if length >= size:
            yield "".join(pending).encode()
            pending, length = [], 0
    if pending:
        yield "".join(pending).encode()
