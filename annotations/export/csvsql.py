"""The CSV export's lines written by PostgreSQL (`sqlrows`): the same bytes as
`csvfile.rows` through `spreadsheets.stream_csv`.

Text cells are coalesced, given a leading apostrophe before a formula start
(`spreadsheets.FORMULA_STARTS`) and quoted as `csv.writer` quotes (QUOTE_MINIMAL: around a
comma, quote, CR or LF, quotes doubled); booleans are words; `\\r\\n` ends each line.
"""

import json
from itertools import chain

from annotations.export import sqlrows
from annotations.spreadsheets import FORMULA_STARTS, line_writer, safe_text

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
    _text("b.author_group"),
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
    _text("b.resolution"),
    _text("b.question_note"),
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


def stream(scope, *, header, redo, excel=False, size=64 * 1024):
    """The CSV export (`header`, then a line per annotation), encoded, in chunks of about
    `size` characters; `redo(id)` writes one annotation's line in Python."""
    titles = json.dumps({str(r.pk): r.title for r in scope.readings})
    tomb = sqlrows.tombstone(scope)
    extra = {
        "title": "%(titles)s::jsonb ->> a.reading_id::text",
        "tag_list": f"CASE WHEN {tomb} THEN '' ELSE array_to_string(ARRAY(SELECT t.value FROM "  # noqa: S608 (constants)
        "jsonb_array_elements_text(a.tags) WITH ORDINALITY AS t(value, n) "
        "ORDER BY t.n), '; ') END",
    }
    sql, params = sqlrows.query(
        scope, select=LINE, scored=True, extra=extra, params={"titles": titles}
    )
    first = line_writer()(header).decode()  # as the Python path writes it
    rows = sqlrows.texts(
        sql, params, people=scope.people, text=lambda t: quoted(safe_text(t)), redo=redo
    )
    return sqlrows.encoded(chain([["\ufeff" + first if excel else first]], rows), size=size)
