"""Groups (seminar/groups.py): made by hand, filled, split at random, imported from CSV, and
every change on the record of who sees what."""

import random
from collections import Counter

import pytest

from seminar.errors import Conflict, ServiceError
from seminar.groups import (
    CSV_MAX_BYTES,
    ImportProblems,
    group_create,
    group_delete,
    group_listing,
    group_rename,
    group_set_members,
    groups_assign,
    groups_import_csv,
    groups_seen_by,
    groups_split_random,
    members_by_username,
    split_sizes,
)
from seminar.models import AccessChange, Group, Membership, Role
from seminar.pseudonyms import people
from tests.conftest import member


def group_of(user, seminar):
    return Membership.objects.get(seminar=seminar, user=user).group


def records(setting=None):
    changes = AccessChange.objects.order_by("id")
    if setting:
        changes = changes.filter(setting=setting)
    return list(changes)


@pytest.fixture
def cast(seminar, instructor, ta, student, student2):
    return seminar


# Creating, renaming, deleting -------------------------------------------------------------


def test_an_instructor_creates_a_group_with_a_trimmed_name_on_the_record(seminar, instructor):
    group = group_create(seminar=seminar, actor=instructor, name="  Tuesday   section ")
    assert group.name == "Tuesday section"
    [change] = records()
    assert (change.setting, change.before, change.after) == ("groups", "", "Tuesday section")
    assert change.actor == instructor and change.actor_name == "Dr. Okafor"
    assert change.effect == "Group “Tuesday section” created."


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "Give the group a name."), ("x" * 81, "at most 80 characters")],
)
def test_a_name_must_have_1_to_80_characters(seminar, instructor, name, message):
    with pytest.raises(ServiceError, match=message):
        group_create(seminar=seminar, actor=instructor, name=name)
    assert not Group.objects.exists() and not records()


def test_a_name_of_80_characters_is_kept_whole_and_recorded_short(seminar, instructor):
    group = group_create(seminar=seminar, actor=instructor, name="x" * 80)
    assert group.name == "x" * 80
    assert len(records()[0].after) == 40


def test_names_clash_whatever_the_case(seminar, instructor):
    group_create(seminar=seminar, actor=instructor, name="Group A")
    with pytest.raises(ServiceError, match="There is a group named “Group A” already"):
        group_create(seminar=seminar, actor=instructor, name="group a")
    assert Group.objects.count() == 1


def test_another_seminar_may_use_the_same_name(seminar, instructor, outsider):
    theirs = outsider.memberships.get().seminar
    group_create(seminar=theirs, actor=outsider, name="Group A")
    group_create(seminar=seminar, actor=instructor, name="Group A")
    assert Group.objects.count() == 2


def test_a_rename_is_recorded_and_may_change_only_the_case(seminar, instructor):
    group = group_create(seminar=seminar, actor=instructor, name="group a")
    group_create(seminar=seminar, actor=instructor, name="Group B")
    group_rename(group=group, actor=instructor, name="Group A")
    change = records()[-1]
    assert (change.before, change.after) == ("group a", "Group A")
    assert change.effect == "Group “group a” renamed “Group A”."
    with pytest.raises(ServiceError, match="“Group B” already"):
        group_rename(group=group, actor=instructor, name="GROUP B")
    assert Group.objects.get(pk=group.pk).name == "Group A"


def test_deleting_a_group_leaves_its_members_in_no_group(cast, instructor, student, student2):
    group = group_create(seminar=cast, actor=instructor, name="Group A")
    group_set_members(group=group, actor=instructor, user_ids=[student.pk, student2.pk])
    assert group_delete(group=group, actor=instructor) == 2
    assert not Group.objects.exists()
    assert group_of(student, cast) is None and group_of(student2, cast) is None
    assert Membership.objects.filter(seminar=cast).count() == 4
    change = records("groups")[-1]
    assert (change.before, change.after) == ("Group A", "")
    assert "its 2 members are in no group now" in change.effect


def test_deleting_a_group_changes_no_post(cast, instructor, student, blog_reading):
    from annotations.models import Annotation
    from annotations.services import annotation_create
    from tests.texts import AID

    post, _ = annotation_create(
        reading=blog_reading, author=student, kind="critique", text="Mine.", quote={"exact": AID}
    )
    group = group_create(seminar=cast, actor=instructor, name="Group A")
    group_set_members(group=group, actor=instructor, user_ids=[student.pk])
    before = Annotation.objects.filter(pk=post.pk).values().get()
    group_delete(group=group, actor=instructor)
    assert Annotation.objects.filter(pk=post.pk).values().get() == before


# Members ----------------------------------------------------------------------------------


def test_set_members_is_exactly_these_students(cast, instructor, student, student2):
    a = group_create(seminar=cast, actor=instructor, name="Group A")
    b = group_create(seminar=cast, actor=instructor, name="Group B")
    group_set_members(group=a, actor=instructor, user_ids=[student.pk, student2.pk])
    assert [m.user for m in group_listing(cast)[0][0].members] == [student, student2]

    moved = group_set_members(group=b, actor=instructor, user_ids=[student.pk])
    assert moved == ["Lena Ortiz moved from Group A to Group B."]
    assert group_of(student, cast) == b and group_of(student2, cast) == a

    moved = group_set_members(group=a, actor=instructor, user_ids=[])
    assert moved == ["Sam Park left Group A and is in no group."]
    assert group_of(student2, cast) is None
    assert group_set_members(group=b, actor=instructor, user_ids=[student.pk]) == []

    moves = records("group_members")
    assert [(c.before, c.after) for c in moves] == [
        ("", "Group A"),
        ("", "Group A"),
        ("Group A", "Group B"),
        ("Group A", ""),
    ]
    assert moves[0].effect == "Lena Ortiz joined Group A (from no group)."


def test_staff_and_outsiders_cannot_be_members_and_nothing_moves(
    cast, instructor, ta, student, outsider
):
    group = group_create(seminar=cast, actor=instructor, name="Group A")
    with pytest.raises(ServiceError) as error:
        group_set_members(
            group=group, actor=instructor, user_ids=[student.pk, ta.pk, outsider.pk, 99999]
        )
    message = str(error.value)
    assert "not members of Intervention and Peacebuilding: mallory, 1 unknown user" in message
    assert "staff, who are in no group: weber" in message
    assert group_of(student, cast) is None
    assert records("group_members") == []


def test_members_by_username_ignores_case_and_names_the_unknown(cast, student, student2):
    assert members_by_username(cast, ["LENA", " sam "]) == [student.pk, student2.pk]
    with pytest.raises(ServiceError, match="has the username “nobody”, “mallory”"):
        members_by_username(cast, ["lena", "nobody", "mallory"])


# Random split -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("students", "size", "sizes"),
    [(10, 4, [4, 3, 3]), (12, 4, [4, 4, 4]), (5, 4, [3, 2]), (3, 5, [3]), (7, 1, [1] * 7)],
)
def test_split_sizes_are_even_and_none_larger_than_asked(students, size, sizes):
    assert split_sizes(students, size) == sizes


def make_students(seminar, count):
    return [member(seminar, f"s{n:02}", f"Student {n:02}", Role.STUDENT) for n in range(count)]


def test_a_random_split_puts_every_student_in_a_group(cast, instructor, student, student2):
    make_students(cast, 8)  # ten students in all
    groups = groups_split_random(seminar=cast, actor=instructor, size=4, rng=random.Random(3))
    assert [g.name for g in groups] == ["Group 1", "Group 2", "Group 3"]
    sizes = Counter(
        Membership.objects.filter(seminar=cast, role=Role.STUDENT).values_list(
            "group__name", flat=True
        )
    )
    assert sorted(sizes.values(), reverse=True) == [4, 3, 3]
    assert None not in sizes
    assert Membership.objects.filter(seminar=cast, group__isnull=False).count() == 10
    assert len(records("groups")) == 3 and len(records("group_members")) == 10
    assert "created by a random split (4 members)" in records("groups")[0].effect


def test_a_split_is_random_but_repeatable_with_a_seed(cast, instructor):
    make_students(cast, 10)

    def split(seed):
        groups_split_random(
            seminar=cast, actor=instructor, size=3, replace=True, rng=random.Random(seed)
        )
        return sorted(
            Membership.objects.filter(group__isnull=False).values_list(
                "user__username", "group__name"
            )
        )

    assert split(1) == split(1)
    assert split(1) != split(2)


def test_a_split_refuses_to_replace_groups_unless_asked(cast, instructor, student, student2):
    group = group_create(seminar=cast, actor=instructor, name="Mine")
    group_set_members(group=group, actor=instructor, user_ids=[student.pk])
    with pytest.raises(ServiceError, match="has 1 group already. Choose to replace them"):
        groups_split_random(seminar=cast, actor=instructor, size=2)
    assert list(Group.objects.values_list("name", flat=True)) == ["Mine"]

    groups_split_random(seminar=cast, actor=instructor, size=2, replace=True)
    assert list(Group.objects.values_list("name", flat=True)) == ["Group 1"]
    assert group_of(student, cast).name == "Group 1"
    assert records("groups")[1].effect == "Group “Mine” deleted to split the class at random."
    lena = [c for c in records("group_members") if "Lena" in c.effect][-1]
    assert lena.effect == "Lena Ortiz moved from Mine to Group 1."


@pytest.mark.parametrize("size", [0, -1, 201, "3"])
def test_a_split_needs_a_sensible_size(cast, instructor, student, size):
    with pytest.raises(ServiceError, match="Choose a group size from 1 to 200"):
        groups_split_random(seminar=cast, actor=instructor, size=size)


def test_a_split_without_students_says_so(seminar, instructor, ta):
    with pytest.raises(ServiceError, match="no students"):
        groups_split_random(seminar=seminar, actor=instructor, size=3)
    assert not Group.objects.exists()


def test_staff_are_never_split_into_groups(cast, instructor, ta):
    groups_split_random(seminar=cast, actor=instructor, size=1)
    assert not Membership.objects.filter(
        role__in=["instructor", "ta"], group__isnull=False
    ).exists()


# CSV import -------------------------------------------------------------------------------


def test_an_import_creates_groups_and_moves_students(cast, instructor, student, student2):
    existing = group_create(seminar=cast, actor=instructor, name="Group A")
    data = b"username,group\nlena,group a\nsam, Group B \n"
    result = groups_import_csv(seminar=cast, actor=instructor, data=data)
    assert (result.created, result.moved, result.unchanged) == (["Group B"], 2, 0)
    assert group_of(student, cast) == existing  # matched whatever the case
    assert group_of(student2, cast).name == "Group B"
    assert records("groups")[-1].effect == "Group “Group B” created by a CSV import."
    again = groups_import_csv(seminar=cast, actor=instructor, data=data)
    assert (again.created, again.moved, again.unchanged) == ([], 0, 2)


def test_an_import_by_email_with_a_bom_semicolons_and_crlf(cast, instructor, student, student2):
    data = "\ufeffEmail;Group;Name\r\nLENA@example.org;Red;Lena\r\n\r\nsam@example.org;red;Sam\r\n"
    result = groups_import_csv(seminar=cast, actor=instructor, data=data.encode())
    assert result.created == ["Red"]
    assert group_of(student, cast) == group_of(student2, cast)


def test_an_import_leaves_students_it_does_not_list(cast, instructor, student, student2):
    group = group_create(seminar=cast, actor=instructor, name="Group A")
    group_set_members(group=group, actor=instructor, user_ids=[student2.pk])
    groups_import_csv(seminar=cast, actor=instructor, data=b"username,group\nlena,Group B\n")
    assert group_of(student2, cast) == group


def test_a_bad_import_lists_every_line_and_saves_nothing(cast, instructor, ta, student, student2):
    data = (
        "username,group\n"
        "lena,Group A\n"
        "nobody,Group A\n"
        "weber,Group B\n"
        "LENA,Group C\n"
        "sam,\n"
        f"sam,{'x' * 81}\n"
        ",Group A\n"
    ).encode()
    with pytest.raises(ImportProblems) as error:
        groups_import_csv(seminar=cast, actor=instructor, data=data)
    assert error.value.problems == [
        "line 3: no member of this seminar has the username “nobody”",
        "line 4: weber is teaching assistant, and only students are in groups",
        "line 5: LENA is on line 2 already",
        "line 6: give the group a name",
        "line 7: sam is on line 6 already",
        "line 7: a group's name has at most 80 characters",
        "line 8: the username is empty",
    ]
    assert str(error.value).startswith("Nothing was imported. Fix these lines")
    assert not Group.objects.exists() and not records()
    assert group_of(student, cast) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"name,section\nlena,A\n", "The first line must be the header “username,group”"),
        (b"username,group\n", "no students under it"),
        ("username,group\nlena,Gruppe Ä\n".encode("latin-1"), "not UTF-8"),
        (b"username,group\n\x00\x01", "not a CSV text file"),
        (b"username,group\n" + b"x" * CSV_MAX_BYTES, "256 KB at most"),
        (b'username,group\nlena,"Group A\n', "not valid CSV"),
    ],
)
def test_an_unreadable_file_is_refused_with_what_to_fix(cast, instructor, student, data, message):
    with pytest.raises(ServiceError, match=message):
        groups_import_csv(seminar=cast, actor=instructor, data=data)
    assert not Group.objects.exists()


def test_a_long_list_of_problems_shows_the_first_twenty(cast, instructor):
    data = "username,group\n" + "".join(f"ghost{n},A\n" for n in range(30))
    with pytest.raises(ImportProblems) as error:
        groups_import_csv(seminar=cast, actor=instructor, data=data.encode())
    assert len(error.value.problems) == 30
    assert str(error.value).endswith("; and 10 more.")


# Who sees what ----------------------------------------------------------------------------


@pytest.fixture
def two_groups(cast, instructor, student, student2):
    a = group_create(seminar=cast, actor=instructor, name="Group A")
    b = group_create(seminar=cast, actor=instructor, name="Group B")
    group_set_members(group=a, actor=instructor, user_ids=[student.pk])
    group_set_members(group=b, actor=instructor, user_ids=[student2.pk])
    return a, b


def test_the_staff_see_every_group_with_usernames(cast, ta, two_groups):
    seen = groups_seen_by(ta, cast)
    assert [(g["name"], [m["user"] for m in g["members"]]) for g in seen] == [
        ("Group A", ["lena"]),
        ("Group B", ["sam"]),
    ]


def test_a_student_sees_only_their_own_group_and_no_usernames(cast, student, two_groups):
    [mine] = groups_seen_by(student, cast)
    assert mine["name"] == "Group A"
    assert mine["members"] == [
        {"id": Membership.objects.get(user=student).pk, "user": None, "name": "Lena Ortiz"}
    ]


def test_a_student_sees_classmates_under_pseudonyms_where_names_are_hidden(
    cast, instructor, student, student2, two_groups
):
    cast.anonymous_peers = True
    cast.save()
    a, _ = two_groups
    group_set_members(group=a, actor=instructor, user_ids=[student.pk, student2.pk])
    [mine] = groups_seen_by(student, cast)
    names = {m["name"] for m in mine["members"]}
    assert names == {"Lena Ortiz", people(cast)[1][student2.pk]}
    assert groups_seen_by(instructor, cast)[0]["members"][1]["name"] == "Sam Park"


def test_a_student_in_no_group_sees_none(cast, instructor, student, student2):
    group = group_create(seminar=cast, actor=instructor, name="Group A")
    group_set_members(group=group, actor=instructor, user_ids=[student2.pk])
    assert groups_seen_by(student, cast) == []


def test_groups_list_in_natural_order(cast, instructor):
    for name in ("Group 10", "Group 2", "group 1"):
        group_create(seminar=cast, actor=instructor, name=name)
    assert [g.name for g in group_listing(cast)[0]] == ["group 1", "Group 2", "Group 10"]


def test_assign_moves_each_student_as_chosen(cast, instructor, student, student2):
    a = group_create(seminar=cast, actor=instructor, name="Group A")
    group_set_members(group=a, actor=instructor, user_ids=[student.pk])
    b = group_create(seminar=cast, actor=instructor, name="Group B")
    moved = groups_assign(
        seminar=cast, actor=instructor, placement={student.pk: None, student2.pk: b.pk}
    )
    assert moved == [
        "Lena Ortiz left Group A and is in no group.",
        "Sam Park joined Group B (from no group).",
    ]
    assert group_of(student, cast) is None and group_of(student2, cast) == b


def test_assign_to_a_group_gone_is_a_conflict_and_moves_nobody(
    cast, instructor, student, student2, outsider
):
    theirs = group_create(seminar=outsider.memberships.get().seminar, actor=outsider, name="X")
    mine = group_create(seminar=cast, actor=instructor, name="Group A")
    with pytest.raises(Conflict, match="1 of the groups chosen no longer exists"):
        groups_assign(
            seminar=cast,
            actor=instructor,
            placement={student.pk: mine.pk, student2.pk: theirs.pk},
        )
    assert group_of(student, cast) is None


def test_a_student_made_ta_leaves_their_group(seminar, instructor, student):
    from seminar.services import membership_set_role

    group = Group.objects.create(seminar=seminar, name="Tuesday")
    Membership.objects.filter(user=student).update(group=group)
    membership_set_role(membership=Membership.objects.get(user=student), role=Role.TA)
    assert Membership.objects.get(user=student).group is None
