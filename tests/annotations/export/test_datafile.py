"""data.json: a record per line, natural keys for references, no secrets."""

import json

from annotations.export import datafile
from annotations.export.snapshot import Options, Scope
from seminar.models import Membership, User
from seminar.pseudonyms import people


def text(seminar, **options):
    return "".join(datafile.stream(Scope(seminar, Options(**options))))


def test_a_record_per_line_and_valid_json(discussion):
    body = text(discussion.seminar, include_hidden=True)
    data = json.loads(body)
    lines = body.splitlines()
    annotations = lines.index('"annotations": [')
    first = json.loads(lines[annotations + 1].removesuffix(","))
    assert first == data["annotations"][0]
    assert [a["id"] for a in data["annotations"]] == sorted(a["id"] for a in data["annotations"])


def test_references_are_natural_keys(discussion):
    d = discussion
    data = json.loads(text(d.seminar))
    usernames = {u["username"] for u in data["users"]}
    assert usernames == {"okafor", "weber", "lena", "sam"}
    assert {a["author"] for a in data["annotations"]} <= usernames | {None}
    assert {r["reading"] for r in data["revisions"]} == {d.reading.slug, d.draft.slug}
    reading = next(r for r in data["readings"] if r["slug"] == d.reading.slug)
    assert reading["current_revision"] == 3
    critique = next(a for a in data["annotations"] if a["id"] == d.critique.pk)
    assert (critique["revision"], critique["anchored_revision"]) == (1, 3)
    assert critique["created"] == d.critique.created.isoformat()


def test_no_secrets_and_no_codes(discussion):
    body = text(discussion.seminar, include_hidden=True)
    seminar = discussion.seminar
    for secret in (seminar.pseudonym_salt, seminar.join_code, seminar.invite_token, "md5$"):
        assert secret not in body


def test_members_keep_their_pseudonyms_and_moderators_their_recorded_names(
    discussion, ta, student, student2
):
    seminar = discussion.seminar
    Membership.objects.filter(seminar=seminar, user=student).update(pseudonym="Quiet Lantern")
    User.objects.filter(pk=ta.pk).update(display_name="Jonas Weber-Lind")  # renamed since
    data = json.loads(text(seminar, include_hidden=True))
    users = {u["username"]: u for u in data["users"]}
    assert users["lena"]["pseudonym"] == "Quiet Lantern"  # as stored
    # Sam has none stored (his membership was made directly): the name the seminar shows.
    assert users["sam"]["pseudonym"] == people(seminar)[1][student2.pk]
    assert users["okafor"]["pseudonym"] == users["weber"]["pseudonym"] == ""
    hide = next(e for e in data["moderation_events"] if e["action"] == "hide")
    assert (hide["moderator"], hide["moderator_name"], hide["moderator_username"]) == (
        "weber",
        "Jonas Weber",
        "weber",
    )
    assert users["weber"]["display_name"] == "Jonas Weber-Lind"


def test_pseudonyms_hide_a_moderator_who_left(discussion, ta):
    Membership.objects.filter(seminar=discussion.seminar, user=ta).delete()
    body = text(discussion.seminar, include_hidden=True, pseudonyms=True)
    hide = next(e for e in json.loads(body)["moderation_events"] if e["action"] == "hide")
    assert hide["moderator_username"] == hide["moderator"] != "weber"
    assert "Jonas Weber" not in body and '"weber"' not in body
