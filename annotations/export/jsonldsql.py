"""The JSON-LD export's annotations written by PostgreSQL (`sqlrows`): each item the same
bytes as `jsonld.annotation` encoded by `jsonld._dump` (keys in its order, its separators,
strings escaped as `json` escapes them with `ensure_ascii=False`, which is what
PostgreSQL's `to_json` does too), and the scores' items likewise (`jsonld.assessment`).
Moderation events, a few per post at most, stay in Python (`jsonld.moderations`).
"""

import json

from annotations.export import sqlrows
from annotations.export.snapshot import IsoText, raw_chunks
from annotations.models import PASSAGE_KINDS, Status

# Our own words, never a user's: safe to write into the SQL.
_OPEN_BODY = '{"type": "TextualBody", "purpose": "'


def _string(expr):
    """A JSON string (or null) of an SQL text."""
    return f"coalesce(to_json({expr})::text, 'null')"


def _in_python(value):
    """An SQL text as Python's f-string prints it (None included): IRIs are built so."""
    return f"coalesce(({value})::text, 'None')"


def _motivation(motivations):
    cases = " ".join(f"WHEN '{kind}' THEN '{word}'" for kind, word in motivations.items())
    return f"CASE a.kind {cases} ELSE 'commenting' END"


def _extra(scope, motivations):
    tomb = sqlrows.tombstone(scope)
    motivation = _motivation(motivations)
    body, mentions = sqlrows.words(scope), sqlrows.mentioning(scope)
    text = (
        f"CASE WHEN {body} = '' THEN NULL ELSE '{_OPEN_BODY}' || {motivation} || "
        f"""'", "value": ' || (CASE WHEN {mentions} THEN '""' ELSE to_json({body})::text END) """
        """|| ', "format": "text/markdown"}' END"""
    )
    kinds = ", ".join(f"'{k}'" for k in PASSAGE_KINDS)
    kind = (
        f"""CASE WHEN a.kind IN ({kinds}) THEN '{_OPEN_BODY}classifying", "value": ' """
        """|| to_json(a.kind)::text || ', "format": "text/plain"}' END"""
    )
    # A tag's item around its JSON string. The tags' JSON text ('["a", "b"]', escaped as
    # to_json escapes) is their strings already: with no escaped quote in it, every '", "'
    # is between two tags, and a replace makes the items; otherwise one tag at a time.
    tag_open = f'\'{_OPEN_BODY}tagging", "value": \''
    tag_close = '\', "format": "text/plain"}\''
    tags = (
        f"CASE WHEN {tomb} OR a.tags_text = '[]' THEN NULL "  # noqa: S608 (constants)
        "WHEN strpos(a.tags_text, '\\\"') = 0 THEN "
        f"{tag_open} || replace(substr(a.tags_text, 2, length(a.tags_text) - 2), '\", \"', "
        f"'\"' || {tag_close} || ', ' || {tag_open} || '\"') || {tag_close} "
        f"ELSE (SELECT string_agg({tag_open} || t.value::text || {tag_close}, ', ' "
        "ORDER BY t.n) FROM jsonb_array_elements(a.tags) WITH ORDINALITY AS t(value, n)) END"
    )
    return {
        "motivation": motivation,
        "elements": f"nullif(concat_ws(', ', {text}, {kind}, {tags}), '')",
    }


# Up to the body: the annotation's IRI, its type and motivation, times and creator.
_HEAD = (
    'concat(\'{"@context": "\' || %(context)s || \'", "id": \' || %(iri)s || b.id::text, '
    '\'", "type": "Annotation", "motivation": "\', b.motivation, '
    # ISO 8601 as IsoText writes it: nothing in it to escape.
    '\'", "created": "\', b.created_text, \'", "modified": "\', b.updated_text, \'"\', '
    "CASE WHEN coalesce(b.credit, '') <> '' THEN "
    '\', "creator": {"type": "Person", "name": \' || to_json(b.credit)::text || \'}\' '
    "END)"
)
_SOURCE = "(%(sources)s::jsonb ->> b.reading_id::text)"
_TARGET = (
    "CASE WHEN b.parent_id IS NOT NULL THEN %(iri)s || b.parent_id::text || '\"' "
    "WHEN b.start IS NOT NULL THEN "
    f"concat('{{\"source\": ', {_SOURCE}, {_in_python('b.anchored_revision_number')}, "
    '\'", "selector": [{"type": "TextQuoteSelector", "exact": \', '
    f"{_string('b.quote_exact')}, ', \"prefix\": ', {_string('b.quote_prefix')}, "
    f"', \"suffix\": ', {_string('b.quote_suffix')}, "
    '\'}, {"type": "TextPositionSelector", "start": \', b.start::text, '
    "', \"end\": ', coalesce(b.\"end\"::text, 'null'), '}]}') "
    f"ELSE {_SOURCE} || {_in_python('b.revision_number')} || '\"' END"
)
SELECT = (
    f"concat({_HEAD}, "
    "CASE WHEN b.elements IS NOT NULL THEN ', \"body\": [' || b.elements || ']' END, "
    f"', \"target\": ', {_TARGET}, "
    '\', "audience": {"type": "schema:Audience", "schema:audienceType": \', '
    f"{_string('b.visibility')}, '}}', "
    f"CASE WHEN b.status <> '{Status.PUBLISHED}' THEN "
    "', \"schema:creativeWorkStatus\": ' || to_json(b.status)::text END, '}'), "
    # Where a mention's text goes: inside the empty "value" of the first body.
    f"CASE WHEN b.mentions THEN length({_HEAD}) + length(', \"body\": [{_OPEN_BODY}') "
    '+ length(b.motivation) + length(\'", "value": "\') END, '
    "CASE WHEN b.mentions THEN b.body END"
)


def items(scope, iris, *, context, motivations, redo):
    """Each exported annotation's item, encoded as `jsonld._dump` would (text), in lists."""
    # An IRI is a JSON string: its opening quote and escaped prefix here, the number there.
    sources = {str(r.pk): json.dumps(iris.revision(r.pk, ""))[:-1] for r in scope.readings}
    params = {
        "context": context,
        "iri": json.dumps(iris.annotation(""))[:-1],
        "sources": json.dumps(sources),
    }
    sql, params = sqlrows.query(
        scope, select=SELECT, scored=False, extra=_extra(scope, motivations), params=params
    )
    return sqlrows.texts(
        sql,
        params,
        people=scope.people,
        redo=redo,
        text=lambda text: json.dumps(text, ensure_ascii=False)[1:-1],
    )


ASSESSMENT = (
    'concat(\'{"@context": "\' || %(context)s || \'", "id": \' || %(iri)s, '
    's.annotation_id::text, \'/score", "type": "Annotation", "motivation": '
    "\"assessing\", \"modified\": ', coalesce('\"' || s.updated_text || '\"', 'null'), "
    "CASE WHEN coalesce(%(graders)s::jsonb ->> s.grader_id::text, '') <> '' THEN "
    '\', "creator": {"type": "Person", "name": \' '
    "|| to_json(%(graders)s::jsonb ->> s.grader_id::text)::text || '}' END, "
    f'\', "body": [{_OPEN_BODY}assessing", "value": "\', s.value::text, \'/\', '
    '%(score_max)s::text, \'", "format": "text/plain"}\', '
    f"CASE WHEN s.comment <> '' THEN ', {_OPEN_BODY}commenting\", \"value\": ' "
    '|| to_json(s.comment)::text || \', "format": "text/plain"}\' END, '
    "'], \"target\": ' || %(iri)s, s.annotation_id::text, '\"}')"
)


def assessments(scope, iris, *, context, score_max):
    """The scores' items (`jsonld.assessment`), encoded, in lists."""
    people = scope.people
    scores = scope.scores().annotate(updated_text=IsoText("updated"))
    graders = scores.values_list("grader_id", "grader__display_name", "grader__username")
    names = {str(pk): people.name(pk, d, u) for pk, d, u in graders.order_by().distinct()}
    columns = ("annotation_id", "value", "comment", "grader_id", "updated_text")
    inner, inner_params = scores.values_list(*columns).query.sql_with_params()
    dropped = sorted(scope.dropped)
    params = {
        "context": context,
        "iri": json.dumps(iris.annotation(""))[:-1],
        "graders": json.dumps(names),
        "score_max": score_max,
        "dropped": dropped,
    }
    inner = sqlrows.named_params(inner, inner_params, params)
    where = "WHERE NOT (s.annotation_id = ANY(%(dropped)s::bigint[]))" if dropped else ""
    sql = f"SELECT {ASSESSMENT} FROM ({inner}) AS s({', '.join(columns)}) {where}"  # noqa: S608
    for chunk in raw_chunks(sql, params):
        yield [text for (text,) in chunk]
