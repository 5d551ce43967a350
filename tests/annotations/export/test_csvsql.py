"""The CSV that PostgreSQL writes is byte for byte the CSV that Python writes, for every scope
and every awkward cell: quotes, commas, newlines, formulas, unicode, mentions, tombstones,
imported and former authors, pseudonyms, withheld scores."""

import pytest
from django.db import connection

from annotations.export import csvfile, jsonld, sqlrows
from annotations.export.snapshot import Options, Scope
from annotations.models import GradeRelease
from annotations.rendering import FORMER_MEMBER

from .conftest import OPTIONS

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database writes the CSV on PostgreSQL only"
)


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
@pytest.mark.parametrize("excel", [False, True])
def test_staff_exports_match_python_byte_for_byte(awkward, options, excel):
    for scope in (
        Scope(awkward.seminar, options),
        Scope(awkward.seminar, options, reading=awkward.reading),
    ):
        database = b"".join(csvfile.stream(scope, excel=excel))
        python = b"".join(csvfile.python_stream(scope, excel=excel))
        assert database.decode().splitlines() == python.decode().splitlines()
        assert database == python


@pytest.mark.parametrize("released", [True, False])
def test_a_member_s_own_export_matches_python(awkward, student, released):
    if not released:
        GradeRelease.objects.filter(reading=awkward.reading).delete()
    scope = Scope(awkward.seminar, owner=student)
    database = b"".join(csvfile.stream(scope))
    assert database == b"".join(csvfile.python_stream(scope))
    text = database.decode()
    assert f"@{FORMER_MEMBER}" in text and "@[member:" not in text  # Sam has left
    assert ("=SUM" in text) is released  # her score, only once grades are released


def test_a_mention_is_named_and_its_cell_still_safe(awkward):
    text = b"".join(csvfile.stream(Scope(awkward.seminar, Options(pseudonyms=True)))).decode()
    assert "Sam Park" not in text and "@[member:" not in text
    assert "\"'=@" in text  # the apostrophe before the formula, inside the quotes


def test_an_author_who_posts_while_the_export_starts_is_still_named(awkward, monkeypatch):
    """The query names authors from a map read just before it; one who posts in between is
    not in it, and that row is written in Python instead, never with an empty author."""
    real = sqlrows._authors
    lena = str(awkward.critique.author_id)
    monkeypatch.setattr(
        sqlrows, "_authors", lambda scope: {k: v for k, v in real(scope).items() if k != lena}
    )
    for scope in (Scope(awkward.seminar), Scope(awkward.seminar, Options(pseudonyms=True))):
        assert b"".join(csvfile.stream(scope)) == b"".join(csvfile.python_stream(scope))
        assert b"".join(jsonld.stream(scope)) == b"".join(jsonld.python_stream(scope))
