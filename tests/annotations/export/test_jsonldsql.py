"""The JSON-LD that PostgreSQL writes is byte for byte the JSON-LD that Python writes: keys in
the same order, strings escaped alike (control characters, quotes, backslashes, unicode),
IRIs with and without a site address, mentions named, tombstones and pseudonyms as ever."""

import json

import pytest
from django.db import connection

from annotations.export import jsonld
from annotations.export.snapshot import Scope

from .conftest import OPTIONS

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database writes JSON-LD on PostgreSQL only"
)


def both(scope):
    return b"".join(jsonld.stream(scope)), b"".join(jsonld.python_stream(scope))


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_staff_exports_match_python_byte_for_byte(awkward, options):
    for scope in (
        Scope(awkward.seminar, options),
        Scope(awkward.seminar, options, reading=awkward.reading),
    ):
        database, python = both(scope)
        assert database.decode().splitlines() == python.decode().splitlines()
        assert database == python
        graph = json.loads(database)["@graph"]
        items = [item for page in graph[:-1] for item in page["items"]]
        assert {"assessing", "moderating", "replying"} <= {i["motivation"] for i in items}


def test_a_member_s_own_export_matches_python(awkward, student):
    database, python = both(Scope(awkward.seminar, owner=student))
    assert database == python
    text = database.decode()
    assert "@[member:" not in text and '"value": "Cf. @' in text
