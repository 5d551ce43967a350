"""Model instances from hand-written SQL, as Django's own query would make them.

The busiest requests (a page's reading, the annotation list, a write, a live poll) read
their objects in one hand-written query, because building the equivalent ORM query cost
more than running it (about 1.5 ms of a 2 ms query). These helpers name the columns and
turn a row back into instances through the same converters the ORM applies, so the objects
are the ones `select_related` would give (tests/annotations/test_listing.py and
tests/seminar/test_access.py compare them field by field).
"""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models.expressions import Col


def field_of(model, name: str):
    return model._meta.get_field(name)  # a field's name or its attname (`seminar_id`)


def column(model, name: str) -> str:
    return f'"{field_of(model, name).column}"'


def whole(model, *, leave=()) -> tuple[str, ...]:
    """The attnames of every concrete field but those named in `leave` (loaded on demand)."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.name not in leave)


def from_column(model, field, value):
    """A raw column value as Django's own query would give it: the backend's converters
    (SQLite's datetimes and booleans come as text and integers), then the field's own
    (a JSONField's text)."""
    if value is None:
        return None
    col, converters = _converters(connection.vendor, model, field.attname)
    for converter in converters:
        value = converter(value, col, connection)
    return value


@functools.cache
def _converters(vendor: str, model, attname: str) -> tuple:
    """A column's converters for the backend `vendor`, found once per process: asking for
    them cost more than applying them. (They read the connection they are handed, and the
    settings, which do not change.)"""
    field = field_of(model, attname)
    col = Col(model._meta.db_table, field)
    return col, tuple(connection.ops.get_db_converters(col) + field.get_db_converters(connection))


@functools.cache
def _layout(model, names: tuple[str, ...]) -> tuple:
    """For `made`: each given column's field, and where each goes in from_db's order."""
    fields = [field_of(model, name) for name in names]
    given = {f.attname: i for i, f in enumerate(fields)}
    ordered = [f.attname for f in model._meta.concrete_fields if f.attname in given]
    return tuple(fields), tuple(ordered), tuple(given[name] for name in ordered)


def made(model, names: tuple[str, ...], values: tuple) -> object:
    """An instance from raw column values, each as Django's query would make it; the
    fields it was not given load on demand."""
    fields, ordered, positions = _layout(model, tuple(names))
    converted = [
        from_column(model, field, value) for field, value in zip(fields, values, strict=True)
    ]
    # from_db takes the values in the order of the model's fields.
    return model.from_db(connection.alias, ordered, [converted[i] for i in positions])


def one_row(sql: str, params: list) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
