"""The gradebook carries the groups (seminar groups): a group column, a filter to grade one
section at a time, and the group in the archive's grades.csv."""

from django.test import Client
from django.urls import reverse

from annotations.export.archive import grade_rows
from annotations.export.snapshot import Options, Scope
from seminar.models import Group, Membership, Role
from tests.conftest import member


def test_the_gradebook_shows_and_filters_by_group(
    seminar, instructor, student, student2, blog_reading, django_assert_max_num_queries
):
    tuesday = Group.objects.create(seminar=seminar, name="Tuesday")
    Membership.objects.filter(user=student).update(group=tuesday)
    client = Client()
    client.force_login(instructor)
    url = reverse("gradebook", args=[seminar.slug])
    page = client.get(url).content.decode()
    assert 'id="gradebook-group"' in page and ">Tuesday</td>" in page
    assert "Sam Park" in page
    only = client.get(url, {"group": "Tuesday"}).content.decode()
    assert "Lena Ortiz" in only and "Sam Park" not in only
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(10):  # ten more students, in the group: no more queries
        someone = member(seminar, f"s{n}", f"Student {n}", Role.STUDENT)
        Membership.objects.filter(user=someone).update(group=tuesday)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_grades_csv_has_the_group(seminar, student, student2, blog_reading):
    Membership.objects.filter(user=student).update(
        group=Group.objects.create(seminar=seminar, name="Tuesday")
    )
    scope = Scope(seminar, Options())
    header, *rows = list(grade_rows(scope))
    groups = {row[header.index("student")]: row[header.index("group")] for row in rows}
    assert groups == {"Lena Ortiz": "Tuesday", "Sam Park": ""}
