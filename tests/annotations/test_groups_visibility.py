"""A reading discussed in groups (annotations/peers/rules.py): Lena and Sam are in the
Tuesday section, Ari in the Thursday one, Noor in none. On it, each student sees and hears
of their own group's posts (and the staff's) only, in every channel; the staff see every
group. On a whole-class reading, everyone sees everything as before."""

import pytest
from django.test import Client

from annotations.agenda.services import new_posts_by_reading
from annotations.models import Annotation, Notification
from annotations.peers.permissions import ListView, held_back_count, list_view
from annotations.peers.services import reading_set_discussion, reading_set_peer_visibility
from annotations.services import annotation_create, reply_create
from seminar.models import AccessChange, Group, Membership, Role
from tests.apicalls import api
from tests.conftest import member
from tests.texts import INNER, SWEET_SPOT

LENAS, SAMS, ARIS = "Lena on timing", "Sam on timing", "Ari on timing"


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def passage(reading, author, text, exact=SWEET_SPOT):
    return annotation_create(
        reading=reading, author=author, kind="critique", text=text, quote={"exact": exact}
    )[0]


def texts(user, reading):
    response = api(as_user(user), "get", f"/readings/{reading.pk}/annotations")
    assert response.status_code == 200, response.content
    return {item["text"] for item in response.json()["items"] if not item["placeholder"]}


@pytest.fixture
def ari(seminar):
    return member(seminar, "ari", "Ari Cohen", Role.STUDENT)


@pytest.fixture
def noor(seminar):
    return member(seminar, "noor", "Noor Haddad", Role.STUDENT)


@pytest.fixture
def sections(seminar, student, student2, ari, noor):
    tuesday = Group.objects.create(seminar=seminar, name="Tuesday")
    thursday = Group.objects.create(seminar=seminar, name="Thursday")
    Membership.objects.filter(user__in=[student, student2]).update(group=tuesday)
    Membership.objects.filter(user=ari).update(group=thursday)
    return tuesday, thursday


@pytest.fixture
def grouped(blog_reading, instructor, student, student2, ari, sections):
    passage(blog_reading, student, LENAS)
    passage(blog_reading, student2, SAMS)
    aris = passage(blog_reading, ari, ARIS)
    question = passage(blog_reading, instructor, "Okafor: what is the method?", exact=INNER)
    reply_create(parent=question, author=ari, text="Ari answers Okafor")
    reply_create(parent=aris, author=instructor, text="Okafor answers Ari")
    reading_set_discussion(reading=blog_reading, actor=instructor, value="groups")
    return blog_reading


def test_a_student_sees_her_group_and_the_staff(grouped, student):
    shown = texts(student, grouped)
    assert {LENAS, SAMS, "Okafor: what is the method?"} <= shown
    assert not shown & {ARIS, "Ari answers Okafor", "Okafor answers Ari"}
    assert list_view(student, grouped) == ListView(held=False, own=True)


def test_the_other_group_sees_its_own(grouped, ari):
    shown = texts(ari, grouped)
    assert {ARIS, "Ari answers Okafor", "Okafor answers Ari"} <= shown
    assert not shown & {LENAS, SAMS}


def test_a_student_in_no_group_sees_the_staff_alone(grouped, noor):
    shown = texts(noor, grouped)
    assert "Okafor: what is the method?" in shown
    assert not shown & {LENAS, SAMS, ARIS}


@pytest.mark.parametrize("who", ["instructor", "ta"])
def test_the_staff_see_every_group(grouped, who, request):
    assert {LENAS, SAMS, ARIS, "Ari answers Okafor"} <= texts(request.getfixturevalue(who), grouped)


def test_a_whole_class_reading_shows_everyone(grouped, instructor, student):
    reading_set_discussion(reading=grouped, actor=instructor, value="class")
    assert {LENAS, SAMS, ARIS} <= texts(student, grouped)


def test_search_keeps_to_the_group(grouped, student, instructor):
    path = f"/seminars/{grouped.seminar_id}/search?q=timing"
    found = {r["id"] for r in api(as_user(student), "get", path).json()["results"]}
    assert Annotation.objects.get(text=ARIS).pk not in found
    assert Annotation.objects.get(text=SAMS).pk in found
    staff = {r["id"] for r in api(as_user(instructor), "get", path).json()["results"]}
    assert Annotation.objects.get(text=ARIS).pk in staff


def test_one_post_of_another_group_is_a_404(grouped, student):
    aris = Annotation.objects.get(text=ARIS)
    assert api(as_user(student), "get", f"/annotations/{aris.pk}").status_code == 404


def test_the_changes_feed_keeps_to_the_group(grouped, student, ari):
    client = as_user(student)
    cursor = api(client, "get", f"/readings/{grouped.pk}/changes").json()["cursor"]
    passage(grouped, ari, "Ari again", exact=INNER)
    answer = api(client, "get", f"/readings/{grouped.pk}/changes?since={cursor}").json()
    assert answer["threads"] == []


def test_no_notification_from_another_group(grouped, student, ari):
    lenas = Annotation.objects.get(text=LENAS)
    token = f"@[member:{Membership.objects.get(user=student).pk}]"
    reply_create(parent=lenas, author=ari, text=f"Ari to {token}")
    assert not Notification.objects.filter(user=student).exists()


def test_counts_keep_to_the_group(grouped, student):
    imported = grouped.annotations.filter(author__isnull=True).count()
    # Sam's post and Dr. Okafor's question: not Ari's two, nor Okafor's reply to Ari.
    assert new_posts_by_reading(student, [grouped.pk])[grouped.pk] == imported + 2


def test_held_back_counts_only_the_group(grouped, instructor, student):
    Annotation.objects.filter(author=student).delete()
    reading_set_peer_visibility(reading=grouped, actor=instructor, value="after_posting")
    assert held_back_count(student, grouped) == 1  # Sam's; never Ari's


def test_deleting_a_group_leaves_its_members_in_none_and_their_posts(grouped, sections, ari):
    sections[1].delete()
    assert Membership.objects.get(user=ari).group is None
    assert Annotation.objects.filter(author=ari).count() == 2


def test_the_change_is_on_the_record(grouped, instructor):
    change = AccessChange.objects.get(setting="discussion")
    assert (change.before, change.after, change.actor) == ("class", "groups", instructor)
    assert change.effect.startswith("Students see and hear of their own group's posts only")
    assert "1 student in no group" in change.effect


def test_the_api_sets_the_discussion(blog_reading, instructor, student):
    path = f"/readings/{blog_reading.pk}"
    assert api(as_user(student), "patch", path, {"discussion": "groups"}).status_code == 403
    response = api(as_user(instructor), "patch", path, {"discussion": "groups"})
    assert response.status_code == 200
    assert response.json()["discussion"] == "groups"
    assert api(as_user(instructor), "patch", path, {"discussion": "pairs"}).status_code == 400


def test_the_staff_see_each_author_s_group_and_students_do_not(grouped, instructor, student):
    def groups(user):
        response = api(as_user(user), "get", f"/readings/{grouped.pk}/annotations")
        return {i["text"]: i["author"]["group"] for i in response.json()["items"]}

    staff = groups(instructor)
    assert (staff[LENAS], staff[ARIS], staff["Okafor: what is the method?"]) == (
        "Tuesday",
        "Thursday",
        None,
    )
    assert set(groups(student).values()) == {None}


def test_the_moderation_queue_and_search_name_the_group(grouped, instructor, student2):
    from django.urls import reverse

    from annotations.moderation.services import flag_create

    flag_create(annotation=Annotation.objects.get(text=LENAS), user=student2, reason="spam")
    client = as_user(instructor)
    page = client.get(reverse("moderation_queue", args=[grouped.seminar.slug])).content.decode()
    assert '<span class="badge text-bg-light border">Tuesday</span>' in page
    path = f"/seminars/{grouped.seminar_id}/search?q=timing"
    results = api(client, "get", path).json()["results"]
    assert {r["author"]["group"] for r in results if r["type"] == "annotation"} >= {
        "Tuesday",
        "Thursday",
    }
