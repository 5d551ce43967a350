"""The CSV that PostgreSQL writes is byte for byte the CSV that Python writes, for every scope
and every awkward cell: quotes, commas, newlines, formulas, unicode, mentions, tombstones,
imported and former authors, pseudonyms, withheld scores."""

import pytest
from django.db import connection

from annotations.export import csvfile
from annotations.export.snapshot import Options, Scope
from annotations.models import Annotation, GradeRelease, Score
from annotations.rendering import FORMER_MEMBER
from annotations.services import annotation_create
from seminar.models import Membership

from .test_csvfile import FORMULAS

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database writes the CSV on PostgreSQL only"
)

AWKWARD = [
    'He said "no", then\r\nleft',
    "tab\tinside, and a trailing space ",
    "naïve 🙂 — ünïcödé",
    "'already quoted",
    "",
    "a,b",
    'only "quotes"',
    "line\nbreak",
    "cr\ronly",
]


@pytest.fixture
def awkward(discussion, student, student2, instructor):
    """Lena's and Sam's posts with every awkward cell, a mention, a former member's post and a
    score on a reading whose grades are not released."""
    d = discussion
    for n, text in enumerate(FORMULAS + AWKWARD):
        Annotation.objects.create(
            reading=d.reading,
            kind="comment",
            author=student if n % 2 else student2,
            text=text,
            html="",
            tags=[text, "plain"] if text else [],
            moderation_reason=text,
        )
        Annotation.objects.create(
            reading=d.reading, kind="comment", author=None, author_name=text, text=f"n{n}"
        )
    sam = Membership.objects.get(seminar=d.seminar, user=student2).pk
    mention = annotation_create(
        reading=d.reading, author=student, kind="comment", text=f'=@[member:{sam}], "really"?'
    )[0]
    Score.objects.create(
        annotation=mention, value=2, comment="=SUM(A1), see\nme", grader=instructor
    )
    former = Membership.objects.get(seminar=d.seminar, user=student2)
    former.delete()  # Sam left: his posts are a former member's
    d.reading.title = '=Title, with "quotes"'
    d.reading.save(update_fields=["title"])
    return d


@pytest.mark.parametrize(
    "options",
    [
        Options(),
        Options(include_hidden=True),
        Options(pseudonyms=True),
        Options(include_hidden=True, pseudonyms=True),
    ],
    ids=["default", "evidence", "pseudonyms", "evidence-pseudonyms"],
)
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
