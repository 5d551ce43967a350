"""Restoring archives: export → restore → export loses nothing; a bad archive saves nothing."""

import copy
import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection

from annotations.export.restore import RestoreError, seminar_restore
from annotations.models import Annotation, ModerationEvent
from seminar.models import Membership, Seminar, User

from .conftest import build_zip, data_json, read_zip

EVERYTHING = {"include_hidden": True, "include_private": True}


def normalized(data):
    """data.json without what a restore changes on purpose: the export's time, the seminar's
    slug, and the annotations' ids (renumbered in order; references follow them)."""
    data = copy.deepcopy(data)
    data.pop("exported")
    data["seminar"].pop("slug")
    ids = {a["id"]: n for n, a in enumerate(data["annotations"], 1)}
    for a in data["annotations"]:
        a["id"] = ids[a["id"]]
        a["parent"] = ids.get(a["parent"])
        a["thread"] = ids.get(a["thread"])
    for section in ("votes", "flags", "moderation_events", "scores"):
        for record in data[section]:
            record["annotation"] = ids[record["annotation"]]
    return data


def empty_database():
    # DESIGN.md: "Exports restore into an empty database with nothing lost."
    connection.check_constraints()  # PostgreSQL truncates no table with deferred checks due
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not User.objects.exists()


@pytest.mark.parametrize("options", [EVERYTHING, {}], ids=["everything", "default"])
def test_export_restore_export_loses_nothing(discussion, options):
    first = build_zip(discussion.seminar, **options)
    before = data_json(first)
    assert {a["status"] for a in before["annotations"]} >= (
        {"published", "hidden", "deleted", "pending"} if options else {"published", "deleted"}
    )
    assert {a["anchor_status"] for a in before["annotations"]} >= {"anchored", "orphaned"}
    assert len(before["revisions"]) == 4 and before["moderation_events"] and before["scores"]
    assert before["votes"] and before["grades"] and before["releases"] and before["flags"]
    empty_database()

    restored = seminar_restore(file=io.BytesIO(first))
    second = build_zip(restored, **options)

    after = data_json(second)
    assert normalized(after) == normalized(before)
    # The texts of every revision come back byte for byte.
    files_before, files_after = read_zip(first), read_zip(second)
    revisions = [name for name in files_before if "/revisions/" in name]
    assert len(revisions) == 8
    assert all(files_before[name] == files_after[name] for name in revisions)


def test_restored_rows_keep_their_shape(discussion):
    archive = build_zip(discussion.seminar, **EVERYTHING)
    empty_database()
    seminar = seminar_restore(file=io.BytesIO(archive))
    nested = Annotation.objects.get(reading__seminar=seminar, text__startswith="Partly")
    assert nested.parent.text.startswith("The Guardian")
    assert nested.thread.text.startswith("Is the *sweet spot*")
    assert nested.thread.locked and nested.thread.pinned
    assert nested.thread.votes.count() == 2 and nested.thread.score.value == 3
    orphan = Annotation.objects.get(reading__seminar=seminar, anchor_status="orphaned")
    assert orphan.anchored_revision.number == 2 and orphan.revision.number == 1
    assert orphan.anchored_revision.text[orphan.start : orphan.end] == orphan.quote_exact
    hidden = Annotation.objects.get(reading__seminar=seminar, status="hidden")
    event = ModerationEvent.objects.get(annotation=hidden)
    assert (event.action, event.reason, event.moderator.username) == ("hide", "Be civil.", "weber")
    # New accounts for people the site does not know: inactive, no usable password.
    lena = User.objects.get(username="lena")
    assert not lena.is_active and not lena.has_usable_password()
    assert Membership.objects.get(seminar=seminar, user=lena).role == "student"


def test_restore_beside_the_original_is_a_new_seminar_with_the_same_people(discussion, student):
    original = discussion.seminar
    archive = build_zip(original, **EVERYTHING)
    User.objects.filter(pk=student.pk).update(email="LENA@Example.org")  # matched ignoring case
    users = User.objects.count()

    copy_ = seminar_restore(file=io.BytesIO(archive))

    assert copy_.pk != original.pk
    assert copy_.slug != original.slug and copy_.slug.startswith(original.slug)
    assert copy_.join_code != original.join_code
    assert copy_.invite_token != original.invite_token
    assert User.objects.count() == users  # everyone matched by email
    assert Membership.objects.get(seminar=copy_, user=student).role == "student"
    old = Annotation.objects.filter(reading__seminar=original).count()
    assert Annotation.objects.filter(reading__seminar=copy_).count() == old
    # A retry key the same person already uses elsewhere is dropped, not duplicated.
    mine = Annotation.objects.filter(reading__seminar=copy_, author=student)
    assert mine.exists() and set(mine.values_list("client_id", flat=True)) == {""}


def test_a_pseudonymous_archive_restores_with_pseudonymous_accounts(discussion):
    archive = build_zip(discussion.seminar, pseudonyms=True)
    seminar = seminar_restore(file=io.BytesIO(archive))
    students = User.objects.filter(memberships__seminar=seminar, memberships__role="student")
    assert students.count() == 2
    assert not students.filter(display_name__in=["Lena Ortiz", "Sam Park"]).exists()
    assert set(students.values_list("email", flat=True)) == {""}
    assert not students.filter(is_active=True).exists()
    staff = User.objects.filter(memberships__seminar=seminar).exclude(memberships__role="student")
    assert set(staff.values_list("username", flat=True)) == {"okafor", "weber"}  # matched


def rezip(files, *, manifest=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in files.items():
            if name == "manifest.json" and manifest is not None:
                body = json.dumps(manifest).encode()
            z.writestr(name, body)
    return out.getvalue()


def reseal(files, manifest, data):
    """A new data.json with a manifest that vouches for it: only its content is wrong."""
    files["data.json"] = data
    entry = next(f for f in manifest["files"] if f["path"] == "data.json")
    entry.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    return rezip(files, manifest=manifest)


def tamper(archive, how):
    files = read_zip(archive)
    manifest = json.loads(files["manifest.json"])
    if how == "edited":
        files["data.json"] = files["data.json"].replace(b"Be civil.", b"Be nice.!")
    elif how == "missing":
        del files["grades.csv"]
    elif how == "unlisted":
        files["extra.txt"] = b"hello"
    elif how == "version":
        manifest["version"] = 99
        return rezip(files, manifest=manifest)
    elif how == "invalid json":
        return reseal(files, manifest, b'{"format": "seminar-archive", "version": 1,')
    elif how == "no manifest":
        del files["manifest.json"]
    elif how == "bad reference":
        data = json.loads(files["data.json"])
        data["votes"][0]["user"] = "nobody"
        return reseal(files, manifest, json.dumps(data).encode())
    return rezip(files)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("edited", "data.json does not match its SHA-256"),
        ("missing", "grades.csv is listed in manifest.json but missing"),
        ("unlisted", "extra.txt is in the archive but not in manifest.json"),
        ("version", "format version 99"),
        ("invalid json", "data.json is not valid JSON"),
        ("no manifest", "manifest.json is missing"),
        ("bad reference", "unknown user “nobody”"),
    ],
)
def test_a_bad_archive_fails_clearly_and_saves_nothing(discussion, how, message):
    archive = tamper(build_zip(discussion.seminar, **EVERYTHING), how)
    seminars, annotations = Seminar.objects.count(), Annotation.objects.count()
    with pytest.raises(RestoreError, match=message):
        seminar_restore(file=io.BytesIO(archive))
    assert (Seminar.objects.count(), Annotation.objects.count()) == (seminars, annotations)


def test_not_a_zip(db):
    with pytest.raises(RestoreError, match="not a ZIP archive"):
        seminar_restore(file=io.BytesIO(b"PK\x03\x04 this is not really a zip"))
