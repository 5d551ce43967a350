"""Restoring archives: export → restore → export loses nothing; a bad archive saves nothing."""

import copy
import csv
import datetime
import hashlib
import io
import json
import re
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection

from annotations.export import datafile
from annotations.export.restore import RestoreError, seminar_restore
from annotations.models import Annotation, ModerationEvent
from seminar.models import Membership, Seminar, User
from seminar.pseudonyms import pseudonym_assign

from .conftest import build_zip, data_json, read_zip

EVERYTHING = {"include_hidden": True, "include_private": True}
EXPORTED = datetime.datetime(2026, 11, 23, 14, 0, tzinfo=datetime.UTC)


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


class Renumbered:
    """Ids replaced by their order of first appearance, one count per kind of id: two
    archives that differ only in their ids read the same, while a reference that points
    elsewhere than it should still shows."""

    PATTERNS = {
        "annotation": re.compile(r"(urn:seminar:annotation:|annotation-|passage-)(\d+)"),
        "reading": re.compile(r"(urn:seminar:reading:)(\d+)"),
        "event": re.compile(r"(/moderation/)(\d+)"),
    }

    def __init__(self):
        self.numbers = {kind: {} for kind in self.PATTERNS}

    def number(self, kind, pk):
        numbers = self.numbers[kind]
        return numbers.setdefault(pk, len(numbers) + 1)

    def text(self, text):
        for kind, pattern in self.PATTERNS.items():
            text = pattern.sub(lambda m, k=kind: f"{m[1]}<{k} {self.number(k, m[2])}>", text)
        return text

    def csv(self, text):
        rows = list(csv.reader(io.StringIO(text)))
        header = rows[0]
        columns = [header.index(name) for name in ("id", "thread", "parent")]
        for row in rows[1:]:
            for column in columns:
                if row[column]:
                    row[column] = str(self.number("annotation", row[column]))
        return rows


def normalized_files(archive, *, slug):
    """Every file of an archive, normalized only for what a restore changes on purpose: ids,
    the seminar's slug (the export's time is the same: both are made with EXPORTED)."""
    out = {}
    for name, body in read_zip(archive).items():
        if name == "data.json":
            out[name] = normalized(json.loads(body))
        elif name == "manifest.json":
            manifest = json.loads(body)
            manifest["seminar"].pop("slug")
            # The sizes and hashes of files that hold ids change with them.
            manifest["files"] = [f["path"] for f in manifest["files"]]
            out[name] = manifest
        elif name.endswith("/annotations.csv"):
            out[name] = Renumbered().csv(body.decode("utf-8-sig"))
        elif name == "grades.csv":
            out[name] = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        else:
            out[name] = Renumbered().text(body.decode().replace(slug, "<slug>"))
    return out


def empty_database():
    # DESIGN.md: "Exports restore into an empty database with nothing lost."
    connection.check_constraints()  # PostgreSQL truncates no table with deferred checks due
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not User.objects.exists()


@pytest.fixture
def named_discussion(discussion, ta, student):
    """The discussion with stored pseudonyms (one chosen by hand) and a moderator renamed
    since they hid a post: the log keeps the name they acted under."""
    Membership.objects.filter(seminar=discussion.seminar, user=student).update(
        pseudonym="Quiet Lantern"
    )
    pseudonym_assign(seminar=discussion.seminar)
    User.objects.filter(pk=ta.pk).update(display_name="Jonas Weber-Lind")
    return discussion


def round_trip(seminar, options):
    first = build_zip(seminar, exported=EXPORTED, **options)
    slug = seminar.slug
    empty_database()
    restored = seminar_restore(file=io.BytesIO(first))
    second = build_zip(restored, exported=EXPORTED, **options)
    return (
        first,
        second,
        normalized_files(first, slug=slug),
        normalized_files(second, slug=restored.slug),
    )


@pytest.mark.parametrize(
    "options",
    [EVERYTHING, {}, {"pseudonyms": True, **EVERYTHING}],
    ids=["everything", "default", "pseudonyms"],
)
def test_export_restore_export_loses_nothing(named_discussion, options):
    _first, _second, before, after = round_trip(named_discussion.seminar, options)
    if not (options.get("include_hidden") and options.get("include_private")):
        # The gradebook counts the posts an archive without evidence and private notes
        # leaves out (a waiting post, a private note): restored, it counts fewer.
        for archive in (before, after):
            for row in archive["grades.csv"]:
                del row["posts"], row["words"], row["late"]
                # ... and names the hidden posts it leaves out, which a restore cannot know.
                row["explanation"] = re.sub(
                    r"(; )?\d+ hidden posts?, not counted", "", row["explanation"]
                )
    data = before["data.json"]
    assert {a["status"] for a in data["annotations"]} >= (
        {"published", "hidden", "deleted", "pending"}
        if options.get("include_hidden")
        else {"published", "deleted"}
    )
    assert {a["anchor_status"] for a in data["annotations"]} >= {"anchored", "orphaned"}
    assert len(data["revisions"]) == 4 and data["moderation_events"] and data["scores"]
    assert data["votes"] and data["grades"] and data["releases"] and data["flags"]
    # Who sees what: the draft holds classmates' posts back, and the change is on record.
    assert {r["peer_visibility"] for r in data["readings"]} == {"always", "after_posting"}
    assert [(c["before"], c["after"]) for c in data["access_changes"]] == [
        ("always", "after_posting"),
        ("class", "groups"),
    ]
    assert [(g["name"], len(g["members"])) for g in data["groups"]] == [("Tuesday section", 1)]
    assert {r["discussion"] for r in data["readings"]} == {"class", "groups"}
    # Questions that close: the state with its note and who set it, the endorsed answer.
    closed = [a for a in data["annotations"] if a["resolution"] == "addressed"]
    assert [(a["resolution_note"], bool(a["resolved_by"])) for a in closed] == [("Week 3", True)]
    assert closed[0]["resolved_at"] and sum(a["endorsed"] for a in data["annotations"]) == 1
    assert {a["resolution"] for a in data["annotations"] if a["kind"] != "question"} == {None}
    assert sum(name.endswith("/revisions/1.txt") for name in before) == 2
    assert {"grades.csv", "README.txt", "manifest.json"} <= set(before)
    # Every file, not only data.json: the same names, the same contents.
    assert sorted(after) == sorted(before)
    for name in before:
        assert after[name] == before[name], name


def test_names_on_the_record_survive_the_round_trip(named_discussion):
    first, second, _before, _after = round_trip(named_discussion.seminar, EVERYTHING)
    hide = next(e for e in data_json(second)["moderation_events"] if e["action"] == "hide")
    assert (hide["moderator_name"], hide["moderator_username"]) == ("Jonas Weber", "weber")
    event = ModerationEvent.objects.get(action="hide")
    assert event.moderator.display_name == "Jonas Weber-Lind"  # the person, renamed since
    assert (event.moderator_name, event.who) == ("Jonas Weber", "Jonas Weber")
    seminar = Seminar.objects.get()
    pseudonyms = dict(
        Membership.objects.filter(seminar=seminar, role="student").values_list(
            "user__username", "pseudonym"
        )
    )
    assert pseudonyms["lena"] == "Quiet Lantern" and pseudonyms["sam"]
    jsonld = json.loads(
        read_zip(second)[next(n for n in read_zip(second) if n.endswith(".jsonld"))]
    )
    items = [i for node in jsonld["@graph"] if "items" in node for i in node["items"]]
    (moderating,) = [
        i for i in items if i["motivation"] == "moderating" and i["body"][0]["value"] == "hide"
    ]
    assert moderating["creator"] == {"type": "Person", "name": "Jonas Weber", "nickname": "weber"}


def test_a_version_1_archive_still_restores(discussion):
    """Written before names were kept on the record and pseudonyms stored: the restore
    names moderators after the people matched, and gives students new pseudonyms."""
    files = read_zip(build_zip(discussion.seminar, **EVERYTHING))
    data = files["data.json"].decode().replace('"version": 2,', '"version": 1,', 1)
    data = re.sub(r', "pseudonym": [^,}]+', "", data)
    data = re.sub(r', "moderator_(name|username)": "[^"]*"', "", data)
    assert '"moderator_name"' not in data and '"pseudonym"' not in data
    manifest = json.loads(files["manifest.json"])
    manifest["version"] = 1
    archive = reseal(files, manifest, data.encode())
    seminar = seminar_restore(file=io.BytesIO(archive))
    event = ModerationEvent.objects.filter(annotation__reading__seminar=seminar).get(action="hide")
    assert (event.moderator_name, event.moderator_username) == ("Jonas Weber", "weber")
    students = Membership.objects.filter(seminar=seminar, role="student")
    assert students.count() == 2 and not students.filter(pseudonym="").exists()


def test_an_archive_from_before_questions_closed_restores_them_open(discussion):
    files = read_zip(build_zip(discussion.seminar, **EVERYTHING))
    data = json.loads(files["data.json"])
    for record in data["annotations"]:
        for key in ("resolution", "resolution_note", "resolved_by", "resolved_at", "endorsed"):
            del record[key]
    archive = reseal(files, json.loads(files["manifest.json"]), json.dumps(data).encode())
    seminar = seminar_restore(file=io.BytesIO(archive))
    posts = Annotation.objects.filter(reading__seminar=seminar)
    assert set(posts.filter(kind="question").values_list("resolution", flat=True)) == {"open"}
    assert set(posts.exclude(kind="question").values_list("resolution", flat=True)) == {None}
    assert not posts.filter(endorsed=True).exists()


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


def test_a_copy_beside_the_original_reads_the_same(named_discussion):
    """Every id differs here (the original's rows are still there), and so does the slug."""
    original = named_discussion.seminar
    first = build_zip(original, exported=EXPORTED, **EVERYTHING)
    copy_ = seminar_restore(file=io.BytesIO(first))
    second = build_zip(copy_, exported=EXPORTED, **EVERYTHING)
    assert copy_.slug != original.slug
    before = normalized_files(first, slug=original.slug)
    after = normalized_files(second, slug=copy_.slug)
    assert data_json(first)["annotations"][0]["id"] != data_json(second)["annotations"][0]["id"]
    # The one change a copy makes on purpose: retry keys its people already use are dropped.
    for files in (before, after):
        for annotation in files["data.json"]["annotations"]:
            annotation.pop("client_id")
    assert sorted(after) == sorted(before)
    for name in before:
        assert after[name] == before[name], name


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
        head = f'{{"format": "seminar-archive", "version": {datafile.VERSION},'
        return reseal(files, manifest, head.encode())
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
