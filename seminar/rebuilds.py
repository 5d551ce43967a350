"""Table rebuilds on SQLite, with the triggers that name the table kept.

SQLite cannot add a NOT NULL column in place: Django's migration copies the table to a new
one, drops the old and renames the copy. The rename checks every trigger of the schema, and
one that names the table from another table's body (the list versions' and the search
index's, annotations/listing/versions.py, annotations/search/index.py) fails it: "error in
trigger ...: no such table". `kept_triggers(table, operations)` sets those triggers aside
before the operations and makes them again after, word for word. PostgreSQL alters tables in
place: nothing to do there.
"""

from __future__ import annotations

from django.db import migrations


def kept_triggers(table: str, operations: list) -> list:
    aside: list[tuple[str, str]] = []

    def set_aside(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE %s",
                [f"%{table}%"],
            )
            aside[:] = cursor.fetchall()
            for name, _ in aside:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')

    def put_back(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            for name, sql in aside:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
                cursor.execute(sql)
        aside.clear()

    return [
        migrations.RunPython(set_aside, put_back, elidable=False),
        *operations,
        migrations.RunPython(put_back, set_aside, elidable=False),
    ]
