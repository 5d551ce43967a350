"""The search index: one entry per post and per reading, written by database triggers in the
transaction of the change.

An entry's key is the post's id, or minus the reading's id for a reading's text, so posts and
readings are ranked in one list. A post's entry holds its text, its tags and the passage it
quotes; a reading's, its title and the text of its current revision (the first
`READING_CHARS` characters). A deleted post has no entry: its old words are never found,
not even by its author. Hidden, waiting and private posts have entries; who may find them is
decided at search time by the same QuerySet as the reading page (services.py).

Triggers, not calls in the services, because every way a row changes must reach the index:
the services, the admin, imports, an archive's restore, the re-anchoring's raw UPDATEs, a
reading's revision. The entries are derived data: `rebuild` makes them again from the
tables.

PostgreSQL: `annotations_searchentry(key, reading_id, document tsvector)` with a GIN index;
the document weighs a post's text A, its tags B, its quote C, a reading's title A and its text
D (what `ts_rank_cd` ranks by). Statement-level triggers with transition tables, so an UPDATE
of 10,000 rows re-indexes in one statement, and only the rows whose indexed words changed.

SQLite: an FTS5 table of the same name (`rowid` the key; columns body, tags, quote, title;
`reading_id` unindexed), Porter stemming on Unicode words. Row-level triggers; `install`
runs again after every `migrate`, because SQLite drops a table's triggers when a migration
rebuilds the table (and then rebuilds the index, which may have missed writes meanwhile).

Control characters 1 and 2 are taken out of the indexed text: they mark matches in snippets
(snippets.py), and a post must not be able to fake a mark.
"""

# ruff: noqa: S608 (every statement is made of this module's own table and column names)

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connections, transaction
from django.db.models.signals import post_migrate

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "annotations_searchentry"
NAME = "annotations_search"  # the prefix of every trigger and function made here
CONFIG = "english"  # PostgreSQL's text search configuration, for documents and queries
READING_CHARS = 200_000  # a reading's text indexed, at most: a tsvector holds 1 MB
SOURCES = ("annotations_annotation", "seminar_reading", "seminar_readingrevision")

# PostgreSQL -----------------------------------------------------------------------------

PG_CLEAN = "translate({}, chr(1) || chr(2), '')"
PG_TAGS = (
    "coalesce((SELECT string_agg(t, ' ') FROM jsonb_array_elements_text("
    "CASE WHEN jsonb_typeof({0}.tags) = 'array' THEN {0}.tags ELSE '[]'::jsonb END) AS t), '')"
)


def _pg_vector(text: str, weight: str) -> str:
    return f"setweight(to_tsvector('{CONFIG}'::regconfig, {PG_CLEAN.format(text)}), '{weight}')"


def pg_post_document(row: str) -> str:
    return " || ".join(
        (
            _pg_vector(f"coalesce({row}.text, '')", "A"),
            _pg_vector(PG_TAGS.format(row), "B"),
            _pg_vector(f"coalesce({row}.quote_exact, '')", "C"),
        )
    )


def pg_reading_document(reading: str, revision: str) -> str:
    return (
        _pg_vector(f"coalesce({reading}.title, '')", "A")
        + " || "
        + _pg_vector(f"left(coalesce({revision}.text, ''), {READING_CHARS})", "D")
    )


PG_UPSERT = (
    "ON CONFLICT (key) DO UPDATE SET reading_id = EXCLUDED.reading_id, document = EXCLUDED.document"
)
PG_POSTS = (
    f"INSERT INTO {TABLE} (key, reading_id, document) "
    f"SELECT n.id, n.reading_id, {pg_post_document('n')} FROM {{rows}} n "
    f"WHERE n.status <> 'deleted' {{also}} {PG_UPSERT};"
)
PG_READINGS = (
    f"INSERT INTO {TABLE} (key, reading_id, document) "
    f"SELECT -r.id, r.id, {pg_reading_document('r', 'v')} FROM seminar_reading r "
    "LEFT JOIN seminar_readingrevision v ON v.id = r.current_revision_id "
    f"WHERE r.id IN ({{ids}}) {PG_UPSERT};"
)
# An update matters when the indexed words change, or the post is deleted (or, by the admin,
# undeleted).
PG_POST_CHANGED = (
    "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE "
    "(n.text, n.tags, n.quote_exact, n.reading_id, n.status = 'deleted') IS DISTINCT FROM "
    "(o.text, o.tags, o.quote_exact, o.reading_id, o.status = 'deleted')"
)
PG_READING_CHANGED = (
    "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE "
    "(n.title, n.current_revision_id) IS DISTINCT FROM (o.title, o.current_revision_id)"
)

PG_FUNCTIONS = {
    "annotations_annotation": {
        "INSERT": PG_POSTS.format(rows="new_rows", also=""),
        "UPDATE": (
            f"DELETE FROM {TABLE} WHERE key IN ({PG_POST_CHANGED});\n"
            + PG_POSTS.format(rows="new_rows", also=f"AND n.id IN ({PG_POST_CHANGED})")
        ),
        "DELETE": f"DELETE FROM {TABLE} WHERE key IN (SELECT id FROM old_rows);",
    },
    "seminar_reading": {
        "INSERT": PG_READINGS.format(ids="SELECT id FROM new_rows"),
        "UPDATE": PG_READINGS.format(ids=PG_READING_CHANGED),
        "DELETE": f"DELETE FROM {TABLE} WHERE key IN (SELECT -id FROM old_rows);",
    },
    # Revisions are immutable; the admin can still change one's text.
    "seminar_readingrevision": {
        "UPDATE": PG_READINGS.format(
            ids="SELECT r.id FROM seminar_reading r WHERE r.current_revision_id IN "
            "(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
            "WHERE n.text IS DISTINCT FROM o.text)"
        ),
    },
}
REFERENCING = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


def _postgresql_statements() -> list[str]:
    statements = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (key bigint PRIMARY KEY, "
        "reading_id bigint NOT NULL, document tsvector NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} USING gin (document)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_reading ON {TABLE} (reading_id)",
    ]
    for table, events in PG_FUNCTIONS.items():
        for event, body in events.items():
            name = f"{NAME}_{table}_{event.lower()}"
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n{body}\nRETURN NULL;\nEND $$",
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING "
                f"{REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
    return statements


def _postgresql_rebuild() -> list[str]:
    return [
        f"TRUNCATE {TABLE}",
        PG_POSTS.format(rows="annotations_annotation", also=""),
        PG_READINGS.format(ids="SELECT id FROM seminar_reading"),
    ]


# SQLite ---------------------------------------------------------------------------------

SQLITE_CLEAN = "replace(replace({}, char(1), ''), char(2), '')"
SQLITE_TAGS = (
    "coalesce((SELECT group_concat(value, ' ') FROM json_each({0}.tags) "
    "WHERE json_type({0}.tags) = 'array'), '')"
)


def _sqlite_post(row: str, where: str) -> str:
    clean = SQLITE_CLEAN.format
    return (
        f"INSERT INTO {TABLE} (rowid, body, tags, quote, title, reading_id) "
        f"SELECT {row}.id, {clean(f'coalesce({row}.text, {chr(39) * 2})')}, "
        f"{clean(SQLITE_TAGS.format(row))}, "
        f"{clean(f'coalesce({row}.quote_exact, {chr(39) * 2})')}, "
        f"'', {row}.reading_id {where};"
    )


def _sqlite_reading(where: str) -> str:
    clean = SQLITE_CLEAN.format
    return (
        f"INSERT INTO {TABLE} (rowid, body, tags, quote, title, reading_id) "
        f"SELECT -r.id, {clean(f'substr(coalesce(v.text, {chr(39) * 2}), 1, {READING_CHARS})')}, "
        f"'', '', {clean('r.title')}, r.id FROM seminar_reading r "
        f"LEFT JOIN seminar_readingrevision v ON v.id = r.current_revision_id WHERE {where};"
    )


SQLITE_POST_CHANGED = (
    " OR ".join(
        f"OLD.{c} IS NOT NEW.{c}" for c in ("id", "text", "tags", "quote_exact", "reading_id")
    )
    + " OR (OLD.status = 'deleted') IS NOT (NEW.status = 'deleted')"
)

SQLITE_TRIGGERS = {
    ("annotations_annotation", "INSERT", ""): _sqlite_post("NEW", "WHERE NEW.status <> 'deleted'"),
    ("annotations_annotation", "UPDATE", SQLITE_POST_CHANGED): (
        f"DELETE FROM {TABLE} WHERE rowid = OLD.id; "
        + _sqlite_post("NEW", "WHERE NEW.status <> 'deleted'")
    ),
    ("annotations_annotation", "DELETE", ""): f"DELETE FROM {TABLE} WHERE rowid = OLD.id;",
    ("seminar_reading", "INSERT", ""): _sqlite_reading("r.id = NEW.id"),
    (
        "seminar_reading",
        "UPDATE",
        "OLD.title IS NOT NEW.title OR OLD.current_revision_id IS NOT NEW.current_revision_id "
        "OR OLD.id IS NOT NEW.id",
    ): f"DELETE FROM {TABLE} WHERE rowid = -OLD.id; " + _sqlite_reading("r.id = NEW.id"),
    ("seminar_reading", "DELETE", ""): f"DELETE FROM {TABLE} WHERE rowid = -OLD.id;",
    ("seminar_readingrevision", "UPDATE", "OLD.text IS NOT NEW.text"): (
        f"DELETE FROM {TABLE} WHERE rowid IN "
        "(SELECT -id FROM seminar_reading WHERE current_revision_id = NEW.id); "
        + _sqlite_reading("r.current_revision_id = NEW.id")
    ),
}


def _sqlite_trigger_names() -> list[str]:
    return [f"{NAME}_{table}_{event.lower()}" for table, event, _ in SQLITE_TRIGGERS]


def _sqlite_statements() -> list[str]:
    statements = [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(body, tags, quote, title, "
        "reading_id UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')"
    ]
    for table, event, when in SQLITE_TRIGGERS:
        name = f"{NAME}_{table}_{event.lower()}"
        condition = f" WHEN {when}" if when else ""
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table}{condition} "
            f"BEGIN {SQLITE_TRIGGERS[table, event, when]} END",
        ]
    return statements


def _sqlite_rebuild() -> list[str]:
    return [
        f"DELETE FROM {TABLE}",
        _sqlite_post("a", "FROM annotations_annotation a WHERE a.status <> 'deleted'"),
        _sqlite_reading("true"),
    ]


# Both -----------------------------------------------------------------------------------


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _vendor_check(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"No search index for {connection.vendor}.")


def install(connection: BaseDatabaseWrapper) -> None:
    """Make (or make again) the table and every trigger; idempotent."""
    _vendor_check(connection)
    postgres = connection.vendor == "postgresql"
    _run(connection, _postgresql_statements() if postgres else _sqlite_statements())


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Every entry made again from the tables, in one transaction."""
    _vendor_check(connection)
    postgres = connection.vendor == "postgresql"
    _run(connection, _postgresql_rebuild() if postgres else _sqlite_rebuild())


def uninstall(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "postgresql":
        statements = [
            f"DROP TRIGGER IF EXISTS {NAME}_{table}_{event.lower()} ON {table}"
            for table, events in PG_FUNCTIONS.items()
            for event in events
        ]
        statements += [
            f"DROP FUNCTION IF EXISTS {NAME}_{table}_{event.lower()}()"
            for table, events in PG_FUNCTIONS.items()
            for event in events
        ]
    else:
        statements = [f"DROP TRIGGER IF EXISTS {name}" for name in _sqlite_trigger_names()]
    _run(connection, [*statements, f"DROP TABLE IF EXISTS {TABLE}"])


def _sqlite_triggers_missing(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
    return not set(_sqlite_trigger_names()) <= present


def install_after_migrate(*, sender, using: str, **kwargs) -> None:
    """post_migrate: on SQLite, the triggers again if a migration rebuilt their tables (and
    the entries again, which may have missed writes without them)."""
    if getattr(sender, "label", None) != "annotations":
        return
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    if TABLE in tables and set(SOURCES) <= tables and _sqlite_triggers_missing(connection):
        install(connection)
        rebuild(connection)


# Loaded from AnnotationsConfig.ready().
post_migrate.connect(install_after_migrate, dispatch_uid="annotations.search.index")
