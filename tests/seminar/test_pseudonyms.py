"""Pseudonyms: stable all term, the same on every reading, hidden from peers only."""

import importlib
import itertools

import pytest
from django.apps import apps

from annotations.services import comment_create
from seminar import services
from seminar.models import Membership, Role
from seminar.pseudonyms import base_pseudonym, people
from tests.conftest import import_reading, make_user, member
from tests.texts import NEWS


@pytest.fixture
def hidden(seminar):
    seminar.anonymous_peers = True
    seminar.save()
    return seminar


def colliding_salt(first, second):
    """A seminar secret under which the two users' pseudonyms collide."""
    for n in itertools.count():
        salt = f"salt-{n}"
        if base_pseudonym(salt, first.pk) == base_pseudonym(salt, second.pk):
            return salt
    raise AssertionError("unreachable")


def names_seen_by(client, viewer, reading):
    """Author name of each comment on the reading, by comment text, as the API shows it."""
    client.force_login(viewer)
    items = client.get(f"/api/readings/{reading.pk}/annotations").json()["items"]
    return {a["text"]: a["author"]["name"] for a in items}


def test_a_student_leaving_renames_nobody(client, hidden, instructor, blog_reading):
    amber, twin, peer = (make_user(u, u.title()) for u in ("amber", "twin", "peer"))
    hidden.pseudonym_salt = colliding_salt(amber, twin)
    hidden.save()
    for user in (amber, twin, peer):
        services.membership_join_by_code(user=user, code=hidden.join_code)
    _roles, before = people(hidden)
    base = base_pseudonym(hidden.pseudonym_salt, amber.pk)
    assert (before[amber.pk], before[twin.pk]) == (base, f"{base} 2")
    comment_create(reading=blog_reading, author=twin, text="Twin's point.")
    assert names_seen_by(client, peer, blog_reading)["Twin's point."] == f"{base} 2"

    services.membership_remove(membership=Membership.objects.get(seminar=hidden, user=amber))

    _roles, after = people(hidden)
    assert after == {k: v for k, v in before.items() if k != amber.pk}
    assert names_seen_by(client, peer, blog_reading)["Twin's point."] == f"{base} 2"
    # A newcomer takes a free name, never one a current student holds.
    services.membership_join_by_code(user=make_user("late", "Late"), code=hidden.join_code)
    _roles, later = people(hidden)
    assert len(set(later.values())) == len(later) == 3
    assert all(later[k] == v for k, v in after.items())


def test_the_pseudonym_survives_a_role_change_and_staff_get_none(hidden, instructor):
    student = make_user("rosa", "Rosa")
    membership = services.membership_join_by_code(user=student, code=hidden.join_code)
    name = membership.pseudonym
    assert name == people(hidden)[1][student.pk]
    services.membership_set_role(membership=membership, role=Role.TA)
    assert student.pk not in people(hidden)[1]  # nobody sees a pseudonym for staff
    services.membership_set_role(membership=membership, role=Role.STUDENT)
    assert people(hidden)[1][student.pk] == name
    assert Membership.objects.get(seminar=hidden, user=instructor).pseudonym == ""


def test_a_ta_made_a_student_gets_a_stored_pseudonym(hidden, ta):
    membership = Membership.objects.get(seminar=hidden, user=ta)
    services.membership_set_role(membership=membership, role=Role.STUDENT)
    membership.refresh_from_db()
    assert membership.pseudonym == people(hidden)[1][ta.pk] != ""


def test_a_student_added_through_the_roster_gets_a_stored_pseudonym(hidden, instructor):
    newcomer = make_user("newcomer", "New Comer")
    services.membership_add(seminar=hidden, who="newcomer", role=Role.STUDENT)
    stored = Membership.objects.get(seminar=hidden, user=newcomer).pseudonym
    assert stored == base_pseudonym(hidden.pseudonym_salt, newcomer.pk)


def test_the_pseudonym_is_the_same_on_two_readings(
    client, hidden, instructor, student, student2, blog_reading
):
    other = import_reading(hidden, NEWS, creator=instructor)
    comment_create(reading=blog_reading, author=student, text="On the blog.")
    comment_create(reading=other, author=student, text="On the report.")
    on_blog = names_seen_by(client, student2, blog_reading)["On the blog."]
    on_report = names_seen_by(client, student2, other)["On the report."]
    assert on_blog == on_report == people(hidden)[1][student.pk]
    assert on_blog != student.name
    page = client.get(other.get_absolute_url()).text
    assert on_blog in page and student.name not in page


@pytest.mark.parametrize(
    ("viewer", "sees_name"),
    [("instructor", True), ("ta", True), ("student", True), ("student2", False)],
)
def test_staff_see_names_and_peers_see_pseudonyms(
    request, client, hidden, instructor, ta, student, student2, blog_reading, viewer, sees_name
):
    comment_create(reading=blog_reading, author=student, text="Who wrote this?")
    shown = names_seen_by(client, request.getfixturevalue(viewer), blog_reading)
    expected = student.name if sees_name else people(hidden)[1][student.pk]
    assert shown["Who wrote this?"] == expected
    page = client.get(blog_reading.get_absolute_url()).text
    assert expected in page
    assert (student.name in page) is sees_name


def test_migration_stores_the_names_shown_until_now(seminar):
    # Memberships made before names were stored: the names came from joining order.
    first, second = make_user("first", "First"), make_user("second", "Second")
    seminar.pseudonym_salt = colliding_salt(first, second)
    seminar.save()
    for user in (first, second):
        Membership.objects.create(seminar=seminar, user=user, role=Role.STUDENT)
    member(seminar, "third", "Third", Role.STUDENT)
    _roles, shown = people(seminar)
    assert not Membership.objects.exclude(pseudonym="").exists()

    migration = importlib.import_module("seminar.migrations.0003_membership_pseudonym")
    migration.store_current_names(apps, None)

    stored = dict(
        Membership.objects.filter(seminar=seminar, role=Role.STUDENT).values_list(
            "user_id", "pseudonym"
        )
    )
    assert stored == shown
    assert stored[second.pk] == f"{stored[first.pk]} 2"
