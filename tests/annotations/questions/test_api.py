"""POST /api/annotations/{id}/resolution and POST/DELETE …/endorsement, for every role."""

import pytest

from annotations.models import Annotation
from tests.apicalls import api


def resolve(client, post, state, note=""):
    return api(client, "post", f"/annotations/{post.pk}/resolution", {"state": state, "note": note})


@pytest.mark.parametrize(
    ("who", "status"),
    [("instructor", 200), ("ta", 200), ("student", 200), ("student2", 403), ("outsider", 404)],
)
def test_who_may_mark_a_question(client, request, question, who, status):
    client.force_login(request.getfixturevalue(who))
    response = resolve(client, question, "addressed", "In Tuesday's class")
    assert response.status_code == status
    question.refresh_from_db()
    if status == 200:
        body = response.json()
        assert body["resolution"]["state"] == "addressed"
        assert body["resolution"]["note"] == "In Tuesday's class"
        assert body["resolution"]["by"]
        assert question.resolution == "addressed"
    else:
        assert question.resolution == "open"
        assert "detail" in response.json()


def test_a_resolution_on_a_non_question_names_the_rule(client, student, critique):
    client.force_login(student)
    response = resolve(client, critique, "answered")
    assert response.status_code == 400
    assert response.json()["detail"] == "Only questions can be resolved: this post is a critique."


def test_an_unknown_state_lists_the_allowed_ones(client, student, question):
    client.force_login(student)
    response = resolve(client, question, "solved")
    assert response.status_code == 400
    assert "open, answered, addressed" in response.json()["detail"]


def test_a_private_question_is_a_404_to_staff(client, blog_reading, student, instructor):
    from annotations.services import annotation_create
    from tests.texts import SWEET_SPOT

    note = annotation_create(
        reading=blog_reading,
        author=student,
        kind="question",
        text="Only for me",
        visibility="private",
        quote={"exact": SWEET_SPOT},
    )[0]
    client.force_login(instructor)
    assert resolve(client, note, "answered").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("instructor", 200), ("ta", 200), ("student", 403), ("student2", 403), ("outsider", 404)],
)
def test_who_may_endorse_a_reply(client, request, question, answer, who, status):
    client.force_login(request.getfixturevalue(who))
    response = api(client, "post", f"/annotations/{answer.pk}/endorsement")
    assert response.status_code == status
    answer.refresh_from_db()
    assert answer.endorsed == (status == 200)
    if status == 200:
        assert response.json()["endorsed"] is True
        assert Annotation.objects.get(pk=question.pk).resolution == "answered"
        response = api(client, "delete", f"/annotations/{answer.pk}/endorsement")
        assert response.status_code == 200 and response.json()["endorsed"] is False


def test_the_list_carries_state_and_rights(client, student, student2, ta, question, answer):
    client.force_login(ta)
    api(client, "post", f"/annotations/{answer.pk}/endorsement")
    for who, resolvable, endorsable in (
        (ta, True, True),
        (student, True, False),
        (student2, False, False),
    ):
        client.force_login(who)
        items = api(client, "get", f"/readings/{question.reading_id}/annotations").json()["items"]
        by_id = {item["id"]: item for item in items}
        top, reply = by_id[question.pk], by_id[answer.pk]
        assert top["resolution"]["state"] == "answered"
        assert top["resolution"]["by"] == "Jonas Weber"
        assert reply["resolution"] is None and reply["endorsed"] is True
        assert top["can_resolve"] is resolvable
        assert reply["can_endorse"] is endorsable
        assert top["can_endorse"] is False and reply["can_resolve"] is False


def test_a_new_question_and_reply_come_back_with_their_state(
    client, student, student2, blog_reading
):
    from tests.texts import SWEET_SPOT

    client.force_login(student)
    body = {
        "kind": "question",
        "text": "Why?",
        "target": {"selector": [{"type": "TextQuoteSelector", "exact": SWEET_SPOT}]},
    }
    created = api(client, "post", f"/readings/{blog_reading.pk}/annotations", body).json()
    assert created["resolution"]["state"] == "open" and created["can_resolve"] is True
    client.force_login(student2)
    reply = api(
        client, "post", f"/annotations/{created['id']}/replies", {"text": "Because."}
    ).json()
    assert (
        reply["resolution"] is None and reply["endorsed"] is False and reply["can_endorse"] is False
    )
