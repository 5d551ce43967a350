"""The permission table: who may do what, asserted through the real pages.

Anonymous people are sent to log in; outsiders get 404 (a seminar's existence does not leak),
and so do members asking for something hidden from them (a draft, for students) and students
asking for a staff page (adding or editing readings, the roster, settings); members who may
see but not change get 403 (a TA on an instructor's page). A refused write changes nothing
in the database.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from annotations.models import Annotation
from annotations.permissions import can_comment
from seminar import permissions
from seminar.models import Membership, Reading, ReadingRevision, Seminar
from tests.conftest import make_user
from tests.readingforms import add_reading

ACTORS = ["anonymous", "outsider", "student", "ta", "instructor"]

# action -> expected status per actor, in ACTORS order. 302 for anonymous = login redirect;
# 302 for a member on a POST = done, back to a page.
TABLE = {
    "view seminar": [302, 404, 200, 200, 200],
    "view published reading": [302, 404, 200, 200, 200],
    "view draft reading": [302, 404, 404, 200, 200],
    "add reading": [302, 404, 404, 403, 200],
    "edit reading": [302, 404, 404, 403, 200],
    "manage roster": [302, 404, 404, 403, 200],
    "comment": [302, 404, 302, 302, 302],
    "POST add reading": [302, 404, 404, 403, 302],
    "POST edit reading": [302, 404, 404, 403, 302],
    "POST edit draft reading": [302, 404, 404, 403, 302],
    "POST move reading": [302, 404, 404, 403, 302],
    "POST move draft reading": [302, 404, 404, 403, 302],
    "POST edit seminar": [302, 404, 404, 403, 302],
    "POST add member": [302, 404, 404, 403, 302],
    "POST change role": [302, 404, 404, 403, 302],
    "POST remove member": [302, 404, 404, 403, 302],
    "POST regenerate codes": [302, 404, 404, 403, 302],
}
WRITES = {action for action in TABLE if action.startswith("POST ")} | {"comment"}


def allowed_by_table(action, actor):
    return actor != "anonymous" and TABLE[action][ACTORS.index(actor)] in (200, 302)


@pytest.fixture
def cast(instructor, ta, student, student2, outsider):
    return {
        "anonymous": None,
        "outsider": outsider,
        "student": student,
        "ta": ta,
        "instructor": instructor,
    }


@pytest.fixture
def scene(seminar, blog_reading, draft_reading, student, student2):
    return SimpleNamespace(
        seminar=seminar,
        published=blog_reading,
        draft=draft_reading,
        # The student asks to be made instructor; someone removes the other student.
        promoted=Membership.objects.get(seminar=seminar, user=student),
        removed=Membership.objects.get(seminar=seminar, user=student2),
        newcomer=make_user("newcomer", "New Comer"),
    )


def edit_reading(client, reading):
    url = reverse("reading_edit", args=[reading.seminar.slug, reading.slug])
    source = reading.current_revision.source + "\n\nA paragraph slipped in.\n"
    return client.post(
        url, {"title": "Renamed", "status": "published", "format": "text", "source": source}
    )


def request(client, action, s):
    slug, published, draft = s.seminar.slug, s.published, s.draft
    if action == "view seminar":
        return client.get(reverse("seminar", args=[slug]))
    if action == "view published reading":
        return client.get(published.get_absolute_url())
    if action == "view draft reading":
        return client.get(draft.get_absolute_url())
    if action == "add reading":
        return client.get(reverse("reading_create", args=[slug]))
    if action == "edit reading":
        return client.get(reverse("reading_edit", args=[slug, published.slug]))
    if action == "manage roster":
        return client.get(reverse("roster", args=[slug]))
    if action == "comment":
        url = reverse("comment_post", args=[slug, published.slug])
        return client.post(url, {"text": "A thought."})
    if action == "POST add reading":
        # The form, then "Save reading" on its preview (tests/readingforms.py).
        return add_reading(
            client,
            slug,
            {"text": "Planted\n\nA reading.\n", "format": "text", "status": "published"},
        )
    if action == "POST edit reading":
        return edit_reading(client, published)
    if action == "POST edit draft reading":
        return edit_reading(client, draft)
    if action == "POST move reading":
        url = reverse("reading_move", args=[slug, published.slug])
        return client.post(url, {"direction": "down"})
    if action == "POST move draft reading":
        return client.post(reverse("reading_move", args=[slug, draft.slug]), {"direction": "up"})
    if action == "POST edit seminar":
        return client.post(
            reverse("seminar_edit", args=[slug]),
            {"title": "Taken over", "term": "", "description": "", "anonymous_peers": "on"},
        )
    if action == "POST add member":
        return client.post(
            reverse("roster", args=[slug]), {"who": s.newcomer.username, "role": "instructor"}
        )
    if action == "POST change role":
        url = reverse("member_role", args=[slug, s.promoted.pk])
        return client.post(url, {"role": "instructor"})
    if action == "POST remove member":
        return client.post(reverse("member_remove", args=[slug, s.removed.pk]))
    if action == "POST regenerate codes":
        return client.post(reverse("regenerate_codes", args=[slug]))
    raise AssertionError(action)


def database_state():
    """Everything the actions above could change."""
    return {
        "seminars": list(
            Seminar.objects.order_by("pk").values_list(
                "pk", "title", "join_code", "invite_token", "anonymous_peers"
            )
        ),
        "members": list(
            Membership.objects.order_by("pk").values_list("pk", "seminar", "user", "role")
        ),
        "readings": list(
            Reading.objects.order_by("pk").values_list(
                "pk", "title", "status", "position", "current_revision"
            )
        ),
        "revisions": list(ReadingRevision.objects.order_by("pk").values_list("pk", "text")),
        "annotations": list(Annotation.objects.order_by("pk").values_list("pk", "text")),
    }


@pytest.mark.parametrize("action", list(TABLE))
@pytest.mark.parametrize("actor", ACTORS)
def test_permission_table(client, cast, scene, action, actor):
    user = cast[actor]
    if user is not None:
        client.force_login(user)
    before = database_state()
    response = request(client, action, scene)
    expected = TABLE[action][ACTORS.index(actor)]
    assert response.status_code == expected, (actor, action)
    if actor == "anonymous":
        assert response.url.startswith(reverse("login"))
    after = database_state()
    if action in WRITES and allowed_by_table(action, actor):
        assert after != before, (actor, action)  # the write really happened
    else:
        assert after == before, (actor, action)


def test_permission_functions_agree_with_the_table(cast, scene):
    s = scene
    for actor in ACTORS:
        user = cast[actor] or AnonymousUser()
        row = {
            "view seminar": permissions.can_view_seminar(user, s.seminar),
            "view published reading": permissions.can_view_reading(user, s.published),
            "view draft reading": permissions.can_view_reading(user, s.draft),
            "add reading": permissions.can_add_reading(user, s.seminar),
            "edit reading": permissions.can_edit_reading(user, s.published),
            "manage roster": permissions.can_manage_roster(user, s.seminar),
            "comment": can_comment(user, s.published),
            "POST add reading": permissions.can_add_reading(user, s.seminar),
            "POST edit reading": permissions.can_edit_reading(user, s.published),
            "POST edit draft reading": permissions.can_edit_reading(user, s.draft),
            "POST move reading": permissions.can_edit_reading(user, s.published),
            "POST move draft reading": permissions.can_edit_reading(user, s.draft),
            "POST edit seminar": permissions.can_manage_seminar(user, s.seminar),
            "POST add member": permissions.can_manage_roster(user, s.seminar),
            "POST change role": permissions.can_manage_roster(user, s.seminar),
            "POST remove member": permissions.can_manage_roster(user, s.seminar),
            "POST regenerate codes": permissions.can_manage_seminar(user, s.seminar),
        }
        assert row.keys() == TABLE.keys()
        for action, allowed in row.items():
            assert allowed == allowed_by_table(action, actor), (actor, action)


def test_draft_is_hidden_from_students_everywhere(client, student, seminar, draft_reading):
    client.force_login(student)
    assert draft_reading.title not in client.get(reverse("seminar", args=[seminar.slug])).text
    assert draft_reading.title not in client.get(reverse("dashboard")).text
