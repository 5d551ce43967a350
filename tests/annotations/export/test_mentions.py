"""Mentions in exports: named as each export names people, never a stored token, and carried
through an archive and its restore as a reference to the member."""

import io

import pytest

from annotations.export import csvfile, htmlfile, markdown
from annotations.export.restore import seminar_restore
from annotations.export.snapshot import Options, Scope
from annotations.models import Annotation
from annotations.services import annotation_create
from seminar.models import Membership
from seminar.pseudonyms import people

from .conftest import build_zip, data_json


@pytest.fixture
def mention(seminar, blog_reading, student, student2):
    """Lena's page comment asking Sam, in a seminar whose students see pseudonyms."""
    seminar.anonymous_peers = True
    seminar.save(update_fields=["anonymous_peers"])
    sam = Membership.objects.get(seminar=seminar, user=student2).pk
    return annotation_create(
        reading=blog_reading,
        author=student,
        kind="comment",
        text=f"What do you say, @[member:{sam}]?",
    )[0]


def sams_pseudonym(seminar, student2):
    return people(seminar)[1][student2.pk]


def csv_text(scope):
    return b"".join(csvfile.stream(scope)).decode("utf-8-sig")


@pytest.mark.parametrize("masked", [False, True])
def test_the_formats_name_the_mentioned_as_they_name_authors(
    mention, seminar, blog_reading, student2, masked
):
    scope = Scope(seminar, Options(pseudonyms=masked), reading=blog_reading)
    name = sams_pseudonym(seminar, student2) if masked else "Sam Park"
    outputs = {
        "csv": csv_text(scope),
        "markdown": markdown.render(scope),
        "html": htmlfile.render(scope),
    }
    for fmt, text in outputs.items():
        assert "@[member:" not in text, fmt
        assert f"@{name}" in text, fmt
        if masked:
            assert "Sam Park" not in text, fmt
    assert f'<span class="mention">@{name}</span>' in outputs["html"]


def test_lena_s_own_export_names_sam_as_she_sees_him(mention, seminar, student, student2):
    text = csv_text(Scope(seminar, Options(), owner=student))
    assert f"@{sams_pseudonym(seminar, student2)}" in text
    assert "Sam Park" not in text


def test_data_json_refers_to_the_member_and_a_restore_points_at_the_new_membership(
    mention, seminar, student2
):
    archive = build_zip(seminar)
    record = next(a for a in data_json(archive)["annotations"] if a["id"] == mention.pk)
    assert record["text"] == "What do you say, @[user:sam]?"
    assert "data-member" not in record["html"]
    restored = seminar_restore(file=io.BytesIO(archive))
    copy = Annotation.objects.get(reading__seminar=restored, text__startswith="What do you say")
    sam = Membership.objects.get(seminar=restored, user=student2)
    assert copy.text == f"What do you say, @[member:{sam.pk}]?"
    assert f'data-member="{sam.pk}"' in copy.html
    assert list(copy.mentions.all()) == [student2]
