"""Seminars, joining and the roster, through the services and the pages that call them."""

import pytest
from django.urls import reverse

from seminar import services
from seminar.models import Membership, Role, Seminar
from tests.conftest import make_user


def test_creating_a_seminar_makes_the_creator_its_instructor(instructor):
    seminar = services.seminar_create(title="Close Reading", term="Fall 2026", creator=instructor)
    assert seminar.slug == "close-reading-fall-2026"
    assert Membership.objects.get(seminar=seminar, user=instructor).role == Role.INSTRUCTOR
    assert len(seminar.join_code) == 8


def test_seminar_slugs_stay_unique(instructor):
    first = services.seminar_create(title="Mali", creator=instructor)
    second = services.seminar_create(title="Mali", creator=instructor)
    assert first.slug != second.slug


def test_create_seminar_page(client, instructor):
    client.force_login(instructor)
    response = client.post(
        reverse("seminar_create"), {"title": "Sahel Security", "term": "Spring", "description": ""}
    )
    seminar = Seminar.objects.get(title="Sahel Security")
    assert response.url == seminar.get_absolute_url()


def test_student_joins_with_code_in_any_case_and_spacing(client, seminar, outsider):
    client.force_login(outsider)
    code = seminar.join_code.lower()
    response = client.post(reverse("join"), {"code": f" {code[:4]} {code[4:]} "})
    assert response.status_code == 302
    assert Membership.objects.get(seminar=seminar, user=outsider).role == Role.STUDENT


def test_wrong_join_code_is_a_clear_error_and_joins_nothing(client, seminar, outsider):
    client.force_login(outsider)
    response = client.post(reverse("join"), {"code": "WRONG123"})
    assert response.status_code == 400
    assert "No seminar has that join code" in response.text
    assert not Membership.objects.filter(seminar=seminar, user=outsider).exists()


def test_regenerated_code_and_link_stop_the_old_ones(client, seminar, instructor, outsider):
    old_code, old_token = seminar.join_code, seminar.invite_token
    client.force_login(instructor)
    client.post(reverse("regenerate_codes", args=[seminar.slug]))
    seminar.refresh_from_db()
    assert seminar.join_code != old_code and seminar.invite_token != old_token

    client.force_login(outsider)
    assert client.post(reverse("join"), {"code": old_code}).status_code == 400
    response = client.post(reverse("join_invite", args=[old_token]))
    assert response.status_code == 404
    assert "not valid any more" in response.text
    assert not Membership.objects.filter(seminar=seminar, user=outsider).exists()
    client.post(reverse("join_invite", args=[seminar.invite_token]))
    assert Membership.objects.filter(seminar=seminar, user=outsider).exists()


def test_invite_link_asks_before_joining(client, seminar, outsider):
    client.force_login(outsider)
    url = reverse("join_invite", args=[seminar.invite_token])
    response = client.get(url)
    assert "Join as a student" in response.text
    assert not Membership.objects.filter(seminar=seminar, user=outsider).exists()


def test_invite_link_sends_anonymous_visitors_to_log_in_and_back(client, seminar):
    url = reverse("join_invite", args=[seminar.invite_token])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_instructor_adds_a_ta_and_a_co_instructor(client, seminar, instructor, outsider, student):
    client.force_login(instructor)
    client.post(reverse("roster", args=[seminar.slug]), {"who": outsider.email, "role": "ta"})
    assert Membership.objects.get(seminar=seminar, user=outsider).role == Role.TA
    membership = Membership.objects.get(seminar=seminar, user=student)
    client.post(reverse("member_role", args=[seminar.slug, membership.pk]), {"role": "instructor"})
    membership.refresh_from_db()
    assert membership.role == Role.INSTRUCTOR


def test_instructor_adds_a_co_instructor_through_the_roster_form(client, seminar, instructor):
    colleague = make_user("diallo", "Dr. Diallo")
    client.force_login(instructor)
    response = client.post(
        reverse("roster", args=[seminar.slug]), {"who": "DIALLO", "role": "instructor"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(seminar=seminar, user=colleague).role == Role.INSTRUCTOR
    # A co-instructor runs the seminar too.
    client.force_login(colleague)
    assert client.get(reverse("roster", args=[seminar.slug])).status_code == 200
    assert client.get(reverse("reading_create", args=[seminar.slug])).status_code == 200


def test_adding_an_unknown_person_says_so_next_to_the_field(client, seminar, instructor):
    client.force_login(instructor)
    response = client.post(reverse("roster", args=[seminar.slug]), {"who": "nobody", "role": "ta"})
    assert response.status_code == 400
    assert "No account has the username or email" in response.text


def test_instructor_removes_a_member(client, seminar, instructor, student):
    membership = Membership.objects.get(seminar=seminar, user=student)
    client.force_login(instructor)
    client.post(reverse("member_remove", args=[seminar.slug, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_nobody_removes_themselves_from_the_roster(seminar, instructor):
    colleague = make_user("diallo", "Dr. Diallo")
    services.membership_add(seminar=seminar, who="diallo", role=Role.INSTRUCTOR)
    membership = Membership.objects.get(seminar=seminar, user=instructor)
    with pytest.raises(services.ServiceError, match="cannot remove yourself"):
        services.membership_remove(membership=membership, by=instructor)
    assert Membership.objects.filter(pk=membership.pk).exists()
    # A co-instructor may.
    services.membership_remove(membership=membership, by=colleague)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_roster_offers_no_remove_button_on_your_own_row(client, seminar, instructor, ta):
    make_user("diallo", "Dr. Diallo")
    services.membership_add(seminar=seminar, who="diallo", role=Role.INSTRUCTOR)
    client.force_login(instructor)
    page = client.get(reverse("roster", args=[seminar.slug])).text
    assert f'aria-label="Remove {ta.name}"' in page
    assert 'aria-label="Remove Dr. Diallo"' in page
    assert f'aria-label="Remove {instructor.name}"' not in page
    mine = Membership.objects.get(seminar=seminar, user=instructor)
    response = client.post(reverse("member_remove", args=[seminar.slug, mine.pk]), follow=True)
    assert "You cannot remove yourself from the seminar." in response.text
    assert Membership.objects.filter(pk=mine.pk).exists()


def test_the_last_instructor_cannot_leave_or_be_demoted(seminar, instructor):
    membership = Membership.objects.get(seminar=seminar, user=instructor)
    with pytest.raises(services.ServiceError, match="at least one instructor"):
        services.membership_remove(membership=membership)
    with pytest.raises(services.ServiceError, match="at least one instructor"):
        services.membership_set_role(membership=membership, role=Role.STUDENT)
    assert Membership.objects.get(pk=membership.pk).role == Role.INSTRUCTOR


def test_roster_lists_members_with_roles(client, seminar, instructor, ta, student):
    client.force_login(instructor)
    page = client.get(reverse("roster", args=[seminar.slug])).text
    # Instructors, then TAs, then students, whatever their usernames.
    assert page.index(instructor.name) < page.index(ta.name) < page.index(student.name)
    assert seminar.join_code in page


def test_membership_of_another_seminar_gives_no_access(client, seminar, outsider):
    client.force_login(outsider)
    assert client.get(reverse("roster", args=[seminar.slug])).status_code == 404


def test_dashboard_lists_my_seminars_and_their_readings(client, student, seminar, blog_reading):
    client.force_login(student)
    page = client.get(reverse("dashboard")).text
    assert seminar.title in page
    assert blog_reading.title in page.replace("&#x27;", "'")


def test_readings_can_be_reordered(client, seminar, instructor, blog_reading, draft_reading):
    client.force_login(instructor)
    client.post(
        reverse("reading_move", args=[seminar.slug, draft_reading.slug]), {"direction": "up"}
    )
    order = list(seminar.readings.order_by("position").values_list("pk", flat=True))
    assert order == [draft_reading.pk, blog_reading.pk]


def test_instructor_turns_on_pseudonyms(client, seminar, instructor):
    client.force_login(instructor)
    client.post(
        reverse("seminar_edit", args=[seminar.slug]),
        {"title": seminar.title, "term": "", "description": "", "anonymous_peers": "on"},
    )
    seminar.refresh_from_db()
    assert seminar.anonymous_peers is True


def test_seminar_page_links_by_role(client, seminar, instructor, student):
    client.force_login(instructor)
    page = client.get(reverse("seminar", args=[seminar.slug])).text
    assert reverse("gradebook", args=[seminar.slug]) in page
    assert reverse("seminar_export", args=[seminar.slug]) in page
    client.force_login(student)
    page = client.get(reverse("seminar", args=[seminar.slug])).text
    assert reverse("my_export", args=[seminar.slug]) in page
    assert f'href="{reverse("gradebook", args=[seminar.slug])}"' not in page
