"""The "Groups" page (seminar/views/groups.py): who opens it, its forms, CSV files imported
as an instructor's spreadsheet saves them, and bad input shown beside the field with nothing
saved."""

import pytest
from django.urls import reverse

from seminar.groups import group_create, group_set_members
from seminar.models import AccessChange, Group, Membership, Role
from tests.conftest import member


def url(seminar, name="groups", **kwargs):
    return reverse(name, kwargs={"slug": seminar.slug, **kwargs})


@pytest.fixture
def cast(seminar, instructor, ta, student, student2):
    return seminar


@pytest.fixture
def group_a(cast, instructor, student):
    group = group_create(seminar=cast, actor=instructor, name="Group A")
    group_set_members(group=group, actor=instructor, user_ids=[student.pk])
    return group


def snapshot():
    return (
        sorted(Group.objects.values_list("seminar_id", "name")),
        sorted(Membership.objects.values_list("pk", "group_id")),
        AccessChange.objects.count(),
    )


def group_of(user):
    return Membership.objects.get(user=user).group


# Who opens it -----------------------------------------------------------------------------


def test_the_instructor_sees_groups_members_the_ungrouped_and_every_form(
    client, cast, instructor, group_a
):
    client.force_login(instructor)
    response = client.get(url(cast))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Groups</h1>" in page
    assert f'id="group-{group_a.pk}-name">Group A' in page
    assert "Lena Ortiz" in page and "Sam Park" in page
    assert 'id="ungrouped-heading"' in page
    for form in ("group_new", "group_move", "group_split", "group_import"):
        assert f'action="{url(cast, form)}"' in page, form
    assert url(cast, "group_delete", pk=group_a.pk) in page
    assert f'for="to-{Membership.objects.get(user__username="sam").user_id}"' in page
    assert "Dr. Okafor" not in page.split('id="groups-heading"')[1]  # staff in no list


def test_the_roster_links_to_the_groups_page(client, cast, instructor):
    client.force_login(instructor)
    assert f'href="{url(cast)}"' in client.get(url(cast, "roster")).content.decode()


def test_a_ta_sees_the_groups_but_no_form(client, cast, ta, group_a):
    client.force_login(ta)
    page = client.get(url(cast)).content.decode()
    assert "Group A" in page and "Lena Ortiz" in page
    assert '<form method="post"' not in page.split("<main")[1].split("</main>")[0]


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_students_and_outsiders_find_no_page(request, client, cast, group_a, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(cast)).status_code == 404
    assert client.post(url(cast, "group_new"), {"new-name": "Mine"}).status_code == 404
    assert not Group.objects.filter(name="Mine").exists()


def test_a_ta_may_not_change_groups(client, cast, ta, group_a):
    client.force_login(ta)
    before = snapshot()
    for name, data in [
        ("group_new", {"new-name": "Mine"}),
        ("group_split", {"split-size": "2", "split-replace": "on"}),
        ("group_move", {f"to-{group_a.pk}": ""}),
        ("group_import", {}),
    ]:
        assert client.post(url(cast, name), data).status_code == 403, name
    assert client.post(url(cast, "group_delete", pk=group_a.pk)).status_code == 403
    assert snapshot() == before


def test_the_page_needs_a_login(client, cast):
    response = client.get(url(cast))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_query_count_does_not_grow_with_the_roster(
    client, cast, instructor, group_a, django_assert_max_num_queries
):
    client.force_login(instructor)
    client.get(url(cast))  # the session and the like, once
    with django_assert_max_num_queries(8) as small:
        client.get(url(cast))
    for n in range(40):
        student = member(cast, f"extra{n}", f"Extra {n:02}", Role.STUDENT)
        if n % 2:
            group_set_members(
                group=group_create(seminar=cast, actor=instructor, name=f"Group {n}"),
                actor=instructor,
                user_ids=[student.pk],
            )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url(cast))
    assert response.content.decode().count('class="card h-100 group-card"') == 21


# Making, moving, deleting -----------------------------------------------------------------


def test_the_instructor_makes_a_group(client, cast, instructor):
    client.force_login(instructor)
    response = client.post(url(cast, "group_new"), {"new-name": "  Red team "})
    assert response.status_code == 302 and response["Location"] == url(cast)
    assert Group.objects.get().name == "Red team"
    assert "Group “Red team” made." in client.get(url(cast)).content.decode()


@pytest.mark.parametrize(
    ("name", "error"),
    [("group a", "There is a group named “Group A” already"), ("", "This field is required.")],
)
def test_a_bad_name_is_shown_beside_the_field(client, cast, instructor, group_a, name, error):
    client.force_login(instructor)
    before = snapshot()
    response = client.post(url(cast, "group_new"), {"new-name": name})
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page and 'id="error_1_id_new-name"' in page
    assert snapshot() == before


def test_the_instructor_moves_students_with_a_select_each(
    client, cast, instructor, student, student2, group_a
):
    b = group_create(seminar=cast, actor=instructor, name="Group B")
    client.force_login(instructor)
    data = {
        f"was-{student.pk}": str(group_a.pk),
        f"to-{student.pk}": "",
        f"was-{student2.pk}": "",
        f"to-{student2.pk}": str(b.pk),
    }
    response = client.post(url(cast, "group_move"), data, follow=True)
    assert group_of(student) is None and group_of(student2) == b
    page = response.content.decode()
    assert "Sam Park joined Group B (from no group)." in page
    assert "Lena Ortiz left Group A and is in no group." in page


def test_a_select_left_as_shown_moves_nobody(client, cast, instructor, student, group_a):
    # Someone else moved Lena after this page was opened; saving it leaves her be.
    b = group_create(seminar=cast, actor=instructor, name="Group B")
    group_set_members(group=b, actor=instructor, user_ids=[student.pk])
    client.force_login(instructor)
    data = {f"was-{student.pk}": str(group_a.pk), f"to-{student.pk}": str(group_a.pk)}
    response = client.post(url(cast, "group_move"), data, follow=True)
    assert group_of(student) == b
    assert "Nobody moved" in response.content.decode()


@pytest.mark.parametrize("target", ["staff", "gone group", "junk"])
def test_a_bad_move_is_refused_and_nothing_moves(
    client, cast, instructor, ta, student, student2, group_a, outsider, target
):
    client.force_login(instructor)
    theirs = group_create(seminar=outsider.memberships.get().seminar, actor=outsider, name="X")
    data = {f"to-{student2.pk}": str(group_a.pk)}
    data.update(
        {
            "staff": {f"to-{ta.pk}": str(group_a.pk)},
            "gone group": {f"to-{student.pk}": str(theirs.pk)},
            "junk": {f"to-{student.pk}": "Group A"},
        }[target]
    )
    before = snapshot()
    response = client.post(url(cast, "group_move"), data)
    assert response.status_code == 400
    assert 'class="alert alert-danger" role="alert" id="move-error"' in response.content.decode()
    assert snapshot() == before


def test_the_instructor_deletes_a_group_and_its_members_stay(
    client, cast, instructor, student, group_a
):
    client.force_login(instructor)
    page = client.get(url(cast)).content.decode()
    assert 'data-confirm="Delete Group A? Its 1 member will be in no group' in page
    response = client.post(url(cast, "group_delete", pk=group_a.pk), follow=True)
    assert not Group.objects.exists()
    assert group_of(student) is None and Membership.objects.filter(user=student).exists()
    assert "its 1 member is in no group now" in response.content.decode()
    assert client.get(url(cast, "group_delete", pk=group_a.pk)).status_code == 405


# Splitting --------------------------------------------------------------------------------


def test_the_instructor_splits_the_class(client, cast, instructor, student, student2):
    client.force_login(instructor)
    page = client.get(url(cast)).content.decode()
    assert 'data-confirm="Split the class again' not in page  # nothing to replace yet
    response = client.post(url(cast, "group_split"), {"split-size": "1"}, follow=True)
    assert sorted(Group.objects.values_list("name", flat=True)) == ["Group 1", "Group 2"]
    assert "split at random into 2 groups" in response.content.decode()


def test_splitting_again_asks_and_needs_replace_ticked(client, cast, instructor, group_a):
    client.force_login(instructor)
    page = client.get(url(cast)).content.decode()
    assert (
        'data-confirm="Split the class again? With “Replace the groups there are” ticked, '
        "the 1 group there is now is deleted" in page
    )
    before = snapshot()
    response = client.post(url(cast, "group_split"), {"split-size": "2"})
    assert response.status_code == 400
    assert "has 1 group already. Choose to replace them" in response.content.decode()
    assert snapshot() == before
    client.post(url(cast, "group_split"), {"split-size": "2", "split-replace": "on"})
    assert list(Group.objects.values_list("name", flat=True)) == ["Group 1"]


@pytest.mark.parametrize("size", ["0", "201", "four", ""])
def test_a_bad_size_is_shown_beside_the_field(client, cast, instructor, size):
    client.force_login(instructor)
    response = client.post(url(cast, "group_split"), {"split-size": size})
    assert response.status_code == 400
    assert 'id="error_1_id_split-size"' in response.content.decode()
    assert not Group.objects.exists()


# Importing a CSV file ---------------------------------------------------------------------


def upload(client, seminar, path):
    with path.open("rb") as file:
        return client.post(url(seminar, "group_import"), {"csv-file": file})


def test_the_instructor_imports_a_file_saved_by_a_spreadsheet(
    client, cast, instructor, student, student2, group_a, tmp_path
):
    path = tmp_path / "sections.csv"
    # Excel's "CSV UTF-8": a BOM and CRLF line ends; names with accents.
    path.write_bytes("username,group\r\nlena,Gruppe Ü\r\nsam,Gruppe Ü\r\n".encode("utf-8-sig"))
    client.force_login(instructor)
    response = upload(client, cast, path)
    assert response.status_code == 302
    assert group_of(student).name == "Gruppe Ü" and group_of(student2).name == "Gruppe Ü"
    page = client.get(url(cast)).content.decode()
    assert "Imported: 2 students moved, 0 already in place, 1 group made." in page


def test_an_import_by_email_without_a_bom(client, cast, instructor, student, tmp_path):
    path = tmp_path / "by-email.csv"
    path.write_text("email,group\nlena@example.org,Tuesday\n", encoding="utf-8")
    client.force_login(instructor)
    assert upload(client, cast, path).status_code == 302
    assert group_of(student).name == "Tuesday"


def test_a_file_with_bad_lines_lists_them_beside_the_field_and_saves_nothing(
    client, cast, instructor, ta, student, group_a, tmp_path
):
    path = tmp_path / "groups.csv"
    path.write_text("username,group\nlena,Group B\nghost,Group B\nweber,Group C\nlena,Group D\n")
    client.force_login(instructor)
    before = snapshot()
    response = upload(client, cast, path)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported. Fix these lines and import it again:" in page
    assert "Line 3: no member of this seminar has the username “ghost”." in page
    assert "Line 4: weber is teaching assistant, and only students are in groups." in page
    assert "Line 5: lena is on line 2 already." in page
    assert 'id="error_1_id_csv-file"' in page
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("username,group\nlena,Gruppe Ä\n".encode("latin-1"), "The file is not UTF-8 text."),
        (b"name;section\nlena;A\n", "The first line must be the header"),
        (b"", "The submitted file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "The file is not UTF-8 text."),
        (b"username,group\nlena,A\x00\n", "The file is not a CSV text file."),
    ],
)
def test_an_unreadable_file_is_refused_beside_the_field(
    client, cast, instructor, student, tmp_path, content, error
):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    client.force_login(instructor)
    response = upload(client, cast, path)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page and 'id="error_1_id_csv-file"' in page
    assert not Group.objects.exists()


def test_a_file_too_large_is_refused_unread(client, cast, instructor, student, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_bytes(b"username,group\n" + b"lena,Group A\n" * 30_000)
    client.force_login(instructor)
    response = upload(client, cast, path)
    assert response.status_code == 400
    assert "a groups file may be 256 KB at most" in response.content.decode()
    assert not Group.objects.exists()


def test_no_file_chosen_says_so(client, cast, instructor):
    client.force_login(instructor)
    response = client.post(url(cast, "group_import"), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_every_form_needs_the_csrf_token(cast, instructor, group_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    before = snapshot()
    for name in ("group_new", "group_move", "group_split", "group_import"):
        assert client.post(url(cast, name), {"new-name": "X"}).status_code == 403, name
    assert client.post(url(cast, "group_delete", pk=group_a.pk)).status_code == 403
    assert snapshot() == before
