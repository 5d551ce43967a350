"""The group endpoints (seminar/groupsapi.py) for every role: the instructor changes groups,
the TA and the students see them as they may, the outsider finds nothing."""

import pytest

from seminar.groups import group_create, group_set_members
from seminar.models import AccessChange, Group, Membership
from seminar.pseudonyms import people
from tests.apicalls import api


@pytest.fixture
def groups(seminar, instructor, ta, student, student2):
    a = group_create(seminar=seminar, actor=instructor, name="Group A")
    b = group_create(seminar=seminar, actor=instructor, name="Group B")
    group_set_members(group=a, actor=instructor, user_ids=[student.pk])
    group_set_members(group=b, actor=instructor, user_ids=[student2.pk])
    return a, b


def membership(user):
    return Membership.objects.get(user=user).pk


def as_user(client, user):
    client.force_login(user)
    return client


# Reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["instructor", "ta"])
def test_the_staff_see_every_group_with_usernames(request, client, seminar, groups, who):
    as_user(client, request.getfixturevalue(who))
    response = api(client, "get", f"/seminars/{seminar.pk}/groups")
    assert response.status_code == 200
    lena, sam = request.getfixturevalue("student"), request.getfixturevalue("student2")
    assert response.json() == [
        {
            "id": groups[0].pk,
            "name": "Group A",
            "members": [{"id": membership(lena), "user": "lena", "name": "Lena Ortiz"}],
        },
        {
            "id": groups[1].pk,
            "name": "Group B",
            "members": [{"id": membership(sam), "user": "sam", "name": "Sam Park"}],
        },
    ]


def test_a_student_sees_only_their_own_group(client, seminar, student, groups):
    response = api(as_user(client, student), "get", f"/seminars/{seminar.pk}/groups")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": groups[0].pk,
            "name": "Group A",
            "members": [{"id": membership(student), "user": None, "name": "Lena Ortiz"}],
        }
    ]


def test_a_student_sees_classmates_in_their_group_under_pseudonyms(
    client, seminar, instructor, student, student2, groups
):
    seminar.anonymous_peers = True
    seminar.save()
    group_set_members(group=groups[0], actor=instructor, user_ids=[student.pk, student2.pk])
    response = api(as_user(client, student), "get", f"/seminars/{seminar.pk}/groups")
    [mine] = response.json()
    names = sorted(m["name"] for m in mine["members"])
    assert names == sorted(["Lena Ortiz", people(seminar)[1][student2.pk]])
    assert "Sam Park" not in response.content.decode() and "sam" not in names


def test_a_student_in_no_group_sees_an_empty_list(client, seminar, instructor, student, groups):
    group_set_members(group=groups[0], actor=instructor, user_ids=[])
    response = api(as_user(client, student), "get", f"/seminars/{seminar.pk}/groups")
    assert response.json() == []


def test_an_outsider_finds_no_groups(client, seminar, outsider, groups):
    response = api(as_user(client, outsider), "get", f"/seminars/{seminar.pk}/groups")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found, or you may not see it."}


# Writing ----------------------------------------------------------------------------------


def test_the_instructor_creates_a_group(client, seminar, instructor):
    response = api(
        as_user(client, instructor), "post", f"/seminars/{seminar.pk}/groups", {"name": " Red "}
    )
    assert response.status_code == 201
    group = Group.objects.get()
    assert response.json() == {"id": group.pk, "name": "Red", "members": []}
    assert AccessChange.objects.get().after == "Red"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"name": "group a"}, "There is a group named “Group A” already: choose another name."),
        ({"name": ""}, "Give the group a name."),
        ({}, "Invalid request: name: Field required"),
    ],
)
def test_a_bad_name_is_a_400_saying_what_to_fix(client, seminar, instructor, groups, body, detail):
    response = api(as_user(client, instructor), "post", f"/seminars/{seminar.pk}/groups", body)
    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert Group.objects.count() == 2


def test_the_instructor_renames_a_group(client, seminar, instructor, groups):
    url = f"/seminars/{seminar.pk}/groups/{groups[0].pk}"
    response = api(as_user(client, instructor), "patch", url, {"name": "Group Z"})
    assert response.status_code == 200
    assert response.json()["name"] == "Group Z"


def test_the_instructor_sets_a_groups_members_by_username(
    client, seminar, instructor, student, student2, groups
):
    url = f"/seminars/{seminar.pk}/groups/{groups[0].pk}/members"
    response = api(as_user(client, instructor), "put", url, {"members": ["LENA", "sam"]})
    assert response.status_code == 200
    assert [m["user"] for m in response.json()["members"]] == ["lena", "sam"]
    assert Membership.objects.get(user=student2).group == groups[0]
    change = AccessChange.objects.filter(setting="group_members").order_by("id").last()
    assert change.effect == "Sam Park moved from Group B to Group A."

    response = api(client, "put", url, {"members": []})
    assert response.json()["members"] == []
    assert Membership.objects.get(user=student).group is None


@pytest.mark.parametrize(
    ("members", "detail"),
    [
        (
            ["lena", "ghost"],
            "No member of Intervention and Peacebuilding has the username “ghost”.",
        ),
        (["lena", "mallory"], "has the username “mallory”"),
        (["weber"], "staff, who are in no group: weber"),
        ("lena", "Invalid request"),
    ],
)
def test_bad_members_are_a_400_and_nothing_moves(
    client, seminar, instructor, student, outsider, groups, members, detail
):
    url = f"/seminars/{seminar.pk}/groups/{groups[1].pk}/members"
    response = api(as_user(client, instructor), "put", url, {"members": members})
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert Membership.objects.get(user=student).group == groups[0]


def test_the_instructor_deletes_a_group_and_its_members_stay(
    client, seminar, instructor, student, groups
):
    url = f"/seminars/{seminar.pk}/groups/{groups[0].pk}"
    response = api(as_user(client, instructor), "delete", url)
    assert response.status_code == 204
    assert not Group.objects.filter(pk=groups[0].pk).exists()
    assert Membership.objects.get(user=student).group is None
    assert api(client, "delete", url).status_code == 404


def test_the_instructor_splits_the_class(client, seminar, instructor, student, student2, groups):
    url = f"/seminars/{seminar.pk}/groups/split"
    response = api(as_user(client, instructor), "post", url, {"size": 1})
    assert response.status_code == 400
    assert "has 2 groups already. Choose to replace them" in response.json()["detail"]

    response = api(client, "post", url, {"size": 1, "replace": True})
    assert response.status_code == 200
    assert [(g["name"], len(g["members"])) for g in response.json()] == [
        ("Group 1", 1),
        ("Group 2", 1),
    ]
    assert not Group.objects.filter(pk__in=[g.pk for g in groups]).exists()
    response = api(client, "post", url, {"size": 0, "replace": True})
    assert response.json()["detail"] == "Choose a group size from 1 to 200."


def test_a_group_of_another_seminar_is_a_404(client, seminar, instructor, outsider, groups):
    theirs = group_create(seminar=outsider.memberships.get().seminar, actor=outsider, name="X")
    as_user(client, instructor)
    for method, path, body in [
        ("patch", f"/seminars/{seminar.pk}/groups/{theirs.pk}", {"name": "Mine"}),
        ("delete", f"/seminars/{seminar.pk}/groups/{theirs.pk}", None),
        ("put", f"/seminars/{seminar.pk}/groups/{theirs.pk}/members", {"members": []}),
    ]:
        assert api(client, method, path, body).status_code == 404, method
    assert Group.objects.get(pk=theirs.pk).name == "X"


WRITES = [
    ("post", "/groups", {"name": "Group C"}),
    ("patch", "/groups/{a}", {"name": "Group C"}),
    ("delete", "/groups/{a}", None),
    ("put", "/groups/{a}/members", {"members": ["lena", "sam"]}),
    ("post", "/groups/split", {"size": 1, "replace": True}),
]


@pytest.mark.parametrize("who", ["ta", "student", "student2"])
@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_tas_and_students_may_not_change_groups(
    request, client, seminar, groups, who, method, path, body
):
    as_user(client, request.getfixturevalue(who))
    before = list(Membership.objects.values_list("pk", "group_id").order_by("pk"))
    url = f"/seminars/{seminar.pk}" + path.format(a=groups[0].pk)
    response = api(client, method, url, body)
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the seminar's instructors change its groups."}
    assert list(Membership.objects.values_list("pk", "group_id").order_by("pk")) == before
    assert sorted(Group.objects.values_list("name", flat=True)) == ["Group A", "Group B"]


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_an_outsider_may_not_change_groups(client, seminar, outsider, groups, method, path, body):
    url = f"/seminars/{seminar.pk}" + path.format(a=groups[0].pk)
    assert api(as_user(client, outsider), method, url, body).status_code == 404
    assert Group.objects.count() == 2
