"""The permission table: who may do what, asserted through the real pages.

Anonymous people are sent to log in; outsiders get 404 (a seminar's existence does not leak);
members who may see but not change get 403.
"""

import pytest
from django.urls import reverse

from annotations.models import Annotation
from seminar import permissions

ACTORS = ["anonymous", "outsider", "student", "ta", "instructor"]

# action -> expected status per actor, in ACTORS order. 302 for anonymous = login redirect.
TABLE = {
    "view seminar": [302, 404, 200, 200, 200],
    "view published reading": [302, 404, 200, 200, 200],
    "view draft reading": [302, 404, 404, 200, 200],
    "add reading": [302, 404, 403, 403, 200],
    "edit reading": [302, 404, 403, 403, 200],
    "manage roster": [302, 404, 403, 403, 200],
    "comment": [302, 404, 302, 302, 302],
}


@pytest.fixture
def cast(instructor, ta, student, outsider):
    return {
        "anonymous": None,
        "outsider": outsider,
        "student": student,
        "ta": ta,
        "instructor": instructor,
    }


def request(client, action, seminar, published, draft):
    s = seminar.slug
    if action == "view seminar":
        return client.get(reverse("seminar", args=[s]))
    if action == "view published reading":
        return client.get(published.get_absolute_url())
    if action == "view draft reading":
        return client.get(draft.get_absolute_url())
    if action == "add reading":
        return client.get(reverse("reading_create", args=[s]))
    if action == "edit reading":
        return client.get(reverse("reading_edit", args=[s, published.slug]))
    if action == "manage roster":
        return client.get(reverse("roster", args=[s]))
    if action == "comment":
        url = reverse("comment_post", args=[s, published.slug])
        return client.post(url, {"text": "A thought."})
    raise AssertionError(action)


@pytest.mark.parametrize("action", list(TABLE))
@pytest.mark.parametrize("actor", ACTORS)
def test_permission_table(client, cast, seminar, blog_reading, draft_reading, action, actor):
    user = cast[actor]
    if user is not None:
        client.force_login(user)
    before = Annotation.objects.count()
    response = request(client, action, seminar, blog_reading, draft_reading)
    expected = TABLE[action][ACTORS.index(actor)]
    assert response.status_code == expected, (actor, action)
    if actor == "anonymous":
        assert response.url.startswith(reverse("login"))
    if action == "comment":
        # Only an accepted comment is saved.
        assert Annotation.objects.count() == before + (
            1 if actor in {"student", "ta", "instructor"} else 0
        )


def test_permission_functions_agree_with_the_table(cast, seminar, blog_reading, draft_reading):
    from django.contrib.auth.models import AnonymousUser

    for actor in ACTORS:
        user = cast[actor] or AnonymousUser()
        row = {
            "view seminar": permissions.can_view_seminar(user, seminar),
            "view draft reading": permissions.can_view_reading(user, draft_reading),
            "add reading": permissions.can_add_reading(user, seminar),
            "manage roster": permissions.can_manage_roster(user, seminar),
        }
        for action, allowed in row.items():
            assert allowed == (TABLE[action][ACTORS.index(actor)] == 200), (actor, action)


def test_draft_is_hidden_from_students_everywhere(client, student, seminar, draft_reading):
    client.force_login(student)
    assert draft_reading.title not in client.get(reverse("seminar", args=[seminar.slug])).text
    assert draft_reading.title not in client.get(reverse("dashboard")).text
