"""The list's changes: written by database triggers, in the transaction of the change.

Every write that can change what the annotation list shows adds a row to `ListChange` for
each reading (and thread) it touches, whoever makes it: the services, the admin, an import
or a restore, the re-anchoring's raw UPDATEs, a cascade. Triggers, not calls in each
service, because one forgotten call would be a stale list answered 304 for as long as
nothing else changed.

What adds a change (and why it is shown):

| table | change | the list shows | the change is for |
| --- | --- | --- | --- |
| annotation | any insert, update, delete | the post itself | its thread |
| vote | any | `votes`, `voted` | the post's thread |
| flag | any (dismissing one too) | `flags`, `flagged`, `can_flag` | the post's thread |
| membership | any, for every reading of its seminar | roles, pseudonyms, rights | everything |
| user | display name, username: their seminars' readings, their posts' | names | everything |
| seminar | slug, anonymous peers, TAs moderate, pseudonym salt | links, names, rights | all |
| reading | revision, slug, seminar, status, peer visibility, due | `revision`, who sees | all |

A change "for everything" has no thread: a cached document older than it is made again
whole (documents.py); one within threads lets it be brought up to date thread by thread.
Scores and grades are not in the list (the reading page carries the grader's scores), so
they add nothing.

The rows are only ever added, so writers of one reading never wait for each other (an
earlier version moved a counter row per reading, which each writer held from its change to
its commit). A reading's version is its newest change's id *and* the number of its changes
(`version`): ids are given as changes are made, not as they commit, so a change can commit
after a later one another reader has already seen; the newest id alone would not move
then, the count does. Whoever compares versions compares both; whoever reads the changes
after a version checks that they account for the whole difference in count (documents.py).
A database restored from a backup gives smaller ids and counts, so no version from before
matches new contents by accident unless the restore gives back the very same rows.

PostgreSQL: statement-level triggers with transition tables, so a statement that changes
10,000 rows (re-anchoring) adds one change per thread, in one INSERT. SQLite (development)
has row-level triggers only; `install` also runs after every `migrate`
(AnnotationsConfig.ready), because SQLite drops a table's triggers when a migration
rebuilds the table.
"""

# ruff: noqa: S608 (every statement is made of this module's own table and column names)

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from annotations.choices import Kind

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "annotations_listchange"
NAME = "annotations_list"  # the prefix of every trigger and function made here

# Changes within threads: (table, the (reading, thread) pairs a set of its rows touches).
# `{rows}` is PostgreSQL's transition table, or SQLite's OLD or NEW.
POSTGRESQL_THREADS = {
    "annotations_annotation": "SELECT reading_id, coalesce(thread_id, id) FROM {rows}",
    "annotations_vote": (
        "SELECT a.reading_id, coalesce(a.thread_id, a.id) FROM annotations_annotation a "
        "WHERE a.id IN (SELECT annotation_id FROM {rows})"
    ),
    "annotations_flag": (
        "SELECT a.reading_id, coalesce(a.thread_id, a.id) FROM annotations_annotation a "
        "WHERE a.id IN (SELECT annotation_id FROM {rows})"
    ),
}
# Changes that reset whole readings: (table, the readings a set of its rows touches).
POSTGRESQL_RESETS = {
    "seminar_membership": (
        "SELECT r.id FROM seminar_reading r WHERE r.seminar_id IN (SELECT seminar_id FROM {rows})"
    ),
}
# Updates that matter only when some columns change: (table, columns, the readings of the
# changed rows' ids `{ids}`). They reset.
POSTGRESQL_CHANGED = {
    "seminar_user": (
        ("display_name", "username"),
        "SELECT r.id FROM seminar_reading r JOIN seminar_membership m "
        "ON m.seminar_id = r.seminar_id WHERE m.user_id IN ({ids}) "
        "UNION SELECT a.reading_id FROM annotations_annotation a WHERE a.author_id IN ({ids})",
    ),
    "seminar_seminar": (
        ("slug", "anonymous_peers", "tas_moderate", "pseudonym_salt"),
        "SELECT r.id FROM seminar_reading r WHERE r.seminar_id IN ({ids})",
    ),
    "seminar_reading": (
        (
            "current_revision_id",
            "slug",
            "seminar_id",
            "status",
            "peer_visibility",
            "due",
            "discussion",
        ),
        "SELECT id FROM seminar_reading WHERE id IN ({ids})",
    ),
}

# The changes of a set of (reading, thread) pairs, and of a set of readings (everything).
POSTGRESQL_TOUCH = (
    f"INSERT INTO {TABLE} (reading_id, thread_id) "
    "SELECT DISTINCT p.r, p.t FROM ({pairs}) AS p(r, t) WHERE p.r IS NOT NULL;"
)
POSTGRESQL_RESET = (
    f"INSERT INTO {TABLE} (reading_id, thread_id) "
    "SELECT DISTINCT p.r, NULL::bigint FROM ({readings}) AS p(r) WHERE p.r IS NOT NULL;"
)


def _postgresql_function(name: str, body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {NAME}_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{body}
    RETURN NULL;
END $$;
"""


def _postgresql_statements() -> list[str]:
    statements = []
    for table, pairs in POSTGRESQL_THREADS.items():
        new = pairs.format(rows="new_rows")
        old = pairs.format(rows="old_rows")
        body = f"""
    IF TG_OP = 'INSERT' THEN
        {POSTGRESQL_TOUCH.format(pairs=new)}
    ELSIF TG_OP = 'UPDATE' THEN
        {POSTGRESQL_TOUCH.format(pairs=f"{new} UNION {old}")}
    ELSE
        {POSTGRESQL_TOUCH.format(pairs=old)}
    END IF;"""
        statements.append(_postgresql_function(table, body))
        statements += _postgresql_triggers(table, ("INSERT", "UPDATE", "DELETE"))
    for table, readings in POSTGRESQL_RESETS.items():
        new, old = readings.format(rows="new_rows"), readings.format(rows="old_rows")
        body = f"""
    IF TG_OP = 'INSERT' THEN
        {POSTGRESQL_RESET.format(readings=new)}
    ELSIF TG_OP = 'UPDATE' THEN
        {POSTGRESQL_RESET.format(readings=f"{new} UNION {old}")}
    ELSE
        {POSTGRESQL_RESET.format(readings=old)}
    END IF;"""
        statements.append(_postgresql_function(table, body))
        statements += _postgresql_triggers(table, ("INSERT", "UPDATE", "DELETE"))
    for table, (columns, readings) in POSTGRESQL_CHANGED.items():
        new = ", ".join(f"n.{column}" for column in columns)
        old = ", ".join(f"o.{column}" for column in columns)
        changed = (
            "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
            f"WHERE ({new}) IS DISTINCT FROM ({old})"
        )
        body = "    " + POSTGRESQL_RESET.format(readings=readings.format(ids=changed))
        statements.append(_postgresql_function(table, body))
        statements += _postgresql_triggers(table, ("UPDATE",))
    gone = f"    DELETE FROM {TABLE} WHERE reading_id IN (SELECT id FROM old_rows);"
    statements.append(_postgresql_function("reading_gone", gone))
    statements += [
        f"DROP TRIGGER IF EXISTS {NAME}_reading_gone ON seminar_reading",
        f"CREATE TRIGGER {NAME}_reading_gone AFTER DELETE ON seminar_reading "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {NAME}_reading_gone()",
    ]
    return statements


def _postgresql_triggers(table: str, events: tuple[str, ...]) -> list[str]:
    # A trigger with transition tables has one event: one trigger per event.
    referencing = {
        "INSERT": "NEW TABLE AS new_rows",
        "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
    }
    statements = []
    for event in events:
        name = f"{NAME}_{table}_{event.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} "
            f"REFERENCING {referencing[event]} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {NAME}_{table}()",
        ]
    return statements


# (reading, thread) of one row, `{row}` being OLD or NEW; WHERE, always: SQLite's upsert
# after a SELECT needs one to parse.
SQLITE_THREADS = {
    "annotations_annotation": (
        "SELECT {row}.reading_id AS r, coalesce({row}.thread_id, {row}.id) AS t WHERE true"
    ),
    "annotations_vote": (
        "SELECT reading_id AS r, coalesce(thread_id, id) AS t FROM annotations_annotation "
        "WHERE id = {row}.annotation_id"
    ),
    "annotations_flag": (
        "SELECT reading_id AS r, coalesce(thread_id, id) AS t FROM annotations_annotation "
        "WHERE id = {row}.annotation_id"
    ),
}
SQLITE_RESETS = {
    "seminar_membership": "SELECT id FROM seminar_reading WHERE seminar_id = {row}.seminar_id",
}
SQLITE_CHANGED = {
    "seminar_user": (
        ("display_name", "username"),
        "SELECT id FROM seminar_reading WHERE seminar_id IN "
        "(SELECT seminar_id FROM seminar_membership WHERE user_id = NEW.id) "
        "OR id IN (SELECT reading_id FROM annotations_annotation WHERE author_id = NEW.id)",
    ),
    "seminar_seminar": (
        ("slug", "anonymous_peers", "tas_moderate", "pseudonym_salt"),
        "SELECT id FROM seminar_reading WHERE seminar_id = NEW.id",
    ),
    "seminar_reading": (
        (
            "current_revision_id",
            "slug",
            "seminar_id",
            "status",
            "peer_visibility",
            "due",
            "discussion",
        ),
        "SELECT NEW.id WHERE true",
    ),
}


def _sqlite_touch(pairs: str) -> str:
    return f"INSERT INTO {TABLE} (reading_id, thread_id) SELECT r, t FROM ({pairs}) WHERE true;"


def _sqlite_reset(readings: str) -> str:
    return f"INSERT INTO {TABLE} (reading_id, thread_id) SELECT id, NULL FROM ({readings});"


def _sqlite_statements() -> list[str]:
    statements = []
    triggers = {}
    for table, pairs in SQLITE_THREADS.items():
        new, old = _sqlite_touch(pairs.format(row="NEW")), _sqlite_touch(pairs.format(row="OLD"))
        triggers[table] = {"INSERT": new, "UPDATE": new + old, "DELETE": old}
    for table, readings in SQLITE_RESETS.items():
        new = _sqlite_reset(readings.format(row="NEW"))
        old = _sqlite_reset(readings.format(row="OLD"))
        triggers[table] = {"INSERT": new, "UPDATE": new + old, "DELETE": old}
    for table, events in triggers.items():
        for event, body in events.items():
            name = f"{NAME}_{table}_{event.lower()}"
            statements += [
                f"DROP TRIGGER IF EXISTS {name}",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END",
            ]
    for table, (columns, readings) in SQLITE_CHANGED.items():
        changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)
        name = f"{NAME}_{table}_update"
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER UPDATE ON {table} WHEN {changed} "
            f"BEGIN {_sqlite_reset(readings)} END",
        ]
    statements += [
        f"DROP TRIGGER IF EXISTS {NAME}_reading_gone",
        f"CREATE TRIGGER {NAME}_reading_gone AFTER DELETE ON seminar_reading BEGIN "
        f"DELETE FROM {TABLE} WHERE reading_id = OLD.id; END",
    ]
    return statements


def _drop_statements(vendor: str) -> list[str]:
    events = {table: ("insert", "update", "delete") for table in POSTGRESQL_THREADS}
    events.update({table: ("insert", "update", "delete") for table in POSTGRESQL_RESETS})
    events.update({table: ("update",) for table in POSTGRESQL_CHANGED})
    on = {table: f" ON {table}" if vendor == "postgresql" else "" for table in events}
    statements = [
        f"DROP TRIGGER IF EXISTS {NAME}_{table}_{event}{on[table]}"
        for table, names in events.items()
        for event in names
    ]
    reading_on = " ON seminar_reading" if vendor == "postgresql" else ""
    statements.append(f"DROP TRIGGER IF EXISTS {NAME}_reading_gone{reading_on}")
    if vendor == "postgresql":
        statements += [f"DROP FUNCTION IF EXISTS {NAME}_{table}()" for table in events]
        statements.append(f"DROP FUNCTION IF EXISTS {NAME}_reading_gone()")
    return statements


def install(connection: BaseDatabaseWrapper) -> None:
    """Make (or make again) every trigger; idempotent."""
    if connection.vendor == "postgresql":
        statements = _postgresql_statements()
    elif connection.vendor == "sqlite":
        statements = _sqlite_statements()
    else:
        raise NotImplementedError(f"No list-version triggers for {connection.vendor}.")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in _drop_statements(connection.vendor):
            cursor.execute(statement)


def install_after_migrate(*, using: str, **kwargs) -> None:
    """post_migrate: the triggers again, once their tables exist (SQLite loses a table's
    triggers when a migration rebuilds it)."""
    connection = connections[using]
    needed = {TABLE, *POSTGRESQL_THREADS, *POSTGRESQL_RESETS, *POSTGRESQL_CHANGED}
    if needed <= set(connection.introspection.table_names()):
        install(connection)


# The version inside another query (access.py, live/access.py): its two columns, and the
# join that gives them to the reading aliased `r`, whose id is its parameter (SQLite has no
# LATERAL, so the changes are grouped by reading).
VERSION_COLUMNS = 'COALESCE(v."newest", 0), COALESCE(v."count", 0)'
VERSION_JOIN = (
    f'LEFT JOIN (SELECT "reading_id", max("id") AS "newest", count(*) AS "count" '
    f'FROM "{TABLE}" WHERE "reading_id" = %s GROUP BY "reading_id") v '
    f'ON v."reading_id" = r."id"'
)


def version(reading_id: int) -> tuple[int, int]:
    """The reading's version: (its newest change's id, how many changes it has); (0, 0)
    for none."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT max(id), count(*) FROM {TABLE} WHERE reading_id = %s", [reading_id])
        newest, count = cursor.fetchone()
    return (newest or 0, count)


# The version of a reading's page comments (the numbered discussion under the post): the
# same (newest, count) over only the changes in their threads and those for everything. A
# post moving in or out of them moves its thread's changes in or out of the count. For
# `r`, a reading; a SELECT's columns.
_COMMENT_THREADS = (
    'SELECT a."id" FROM "annotations_annotation" a WHERE a."reading_id" = r."id" '
    f'AND a."kind" = \'{Kind.COMMENT.value}\' AND a."parent_id" IS NULL'
)
_NULLS = f'FROM "{TABLE}" c WHERE c."reading_id" = r."id" AND c."thread_id" IS NULL'
_IN_COMMENTS = (
    f'FROM "{TABLE}" c WHERE c."reading_id" = r."id" AND c."thread_id" IN ({_COMMENT_THREADS})'
)
# Each half an index range (listchange_thread), however long the reading's history.
COMMENTS_VERSION_COLUMNS = (
    f'(SELECT max(t.m) FROM (SELECT max(c."id") AS m {_NULLS} '  # noqa: S608 (constants)
    f'UNION ALL SELECT max(c."id") AS m {_IN_COMMENTS}) AS t), '
    f"((SELECT count(*) {_NULLS}) + (SELECT count(*) {_IN_COMMENTS}))"
)
