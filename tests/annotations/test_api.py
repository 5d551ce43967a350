"""The annotation API as the page script and scripts use it (docs/api.md)."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from annotations.models import Annotation, Vote
from seminar import nearcache
from seminar.tokens import token_create, token_revoke
from tests.apicalls import api
from tests.texts import SWEET_SPOT as PASSAGE


def selectors(text, exact, *, start=None, end=None, prefix=None, suffix=None):
    i = text.index(exact)
    return {
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": exact,
                "prefix": text[max(0, i - 32) : i] if prefix is None else prefix,
                "suffix": text[i + len(exact) : i + len(exact) + 32] if suffix is None else suffix,
            },
            {
                "type": "TextPositionSelector",
                "start": i if start is None else start,
                "end": i + len(exact) if end is None else end,
            },
        ]
    }


def critique(reading, **changes):
    payload = {
        "kind": "critique",
        "text": "Is the sweet spot claim premature?",
        "tags": ["timing", "evidence"],
        "visibility": "seminar",
        "target": selectors(reading.current_revision.text, PASSAGE),
        "client_id": "c-1",
    }
    payload.update(changes)
    return payload


@pytest.fixture
def as_student(client, student):
    client.force_login(student)
    return client


def post_critique(client, reading, **changes):
    return api(client, "post", f"/readings/{reading.pk}/annotations", critique(reading, **changes))


def test_create_and_list_a_passage_critique(as_student, blog_reading):
    response = post_critique(as_student, blog_reading)
    assert response.status_code == 201, response.json()
    created = response.json()
    text = blog_reading.current_revision.text
    start = text.index(PASSAGE)
    assert created["target"]["selector"][1] == {
        "type": "TextPositionSelector",
        "start": start,
        "end": start + len(PASSAGE),
        "exact": None,
        "prefix": None,
        "suffix": None,
    }
    assert created["target"]["selector"][0]["exact"] == PASSAGE
    assert created["target"]["revision"] == blog_reading.current_revision_id
    assert created["anchor_status"] == "anchored"
    assert created["author"] == {
        "name": "Lena Ortiz",
        "role": "student",
        "is_me": True,
        "pseudonym": False,
        "imported": False,
        "group": None,
    }
    listed = api(as_student, "get", f"/readings/{blog_reading.pk}/annotations").json()
    assert [a["id"] for a in listed["items"] if a["kind"] == "critique"] == [created["id"]]
    assert listed["count"] == 4  # three imported reader comments and the critique


def test_a_repeated_client_id_returns_the_first(as_student, blog_reading):
    first = post_critique(as_student, blog_reading)
    again = post_critique(as_student, blog_reading, text="A retry with other words")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Annotation.objects.filter(kind="critique").count() == 1


def test_wrong_offsets_are_corrected_by_the_quote(as_student, blog_reading):
    target = selectors(blog_reading.current_revision.text, PASSAGE, start=3, end=20)
    response = post_critique(as_student, blog_reading, target=target)
    assert response.status_code == 201
    saved = Annotation.objects.get(kind="critique")
    assert blog_reading.current_revision.text[saved.start : saved.end] == PASSAGE


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"target": {"selector": [{"type": "TextQuoteSelector", "exact": "never said this"}]}},
            "not in the text",
        ),
        (
            {
                "target": {
                    "selector": [
                        # A position outside the text falls back to the quote (issue 19):
                        # refused only when the quote is not there either.
                        {"type": "TextQuoteSelector", "exact": "never said this"},
                        {"type": "TextPositionSelector", "start": 99999, "end": 100010},
                    ]
                }
            },
            "not in the text",
        ),
        ({"text": "x" * 10_001}, "limit is 10,000"),
        ({"text": "   "}, "Write something"),
        ({"kind": "rant"}, "Unknown kind"),
        ({"visibility": "everyone"}, "Unknown visibility"),
        ({"tags": ["x" * 41]}, "longer than 40"),
        ({"target": None, "kind": "critique"}, "select the words"),
        ({"target": {"selector": []}}, "Invalid request"),
        ({"text": None}, "Invalid request"),
    ],
)
def test_bad_input_is_a_400_that_says_why_and_saves_nothing(
    as_student, blog_reading, changes, message
):
    before = Annotation.objects.count()
    response = post_critique(as_student, blog_reading, **changes)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert Annotation.objects.count() == before


def test_malformed_json_is_a_400(as_student, blog_reading):
    response = as_student.post(
        f"/api/readings/{blog_reading.pk}/annotations",
        data="{nope",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_page_comment_has_no_target(as_student, blog_reading):
    response = api(
        as_student,
        "post",
        f"/readings/{blog_reading.pk}/annotations",
        {"text": "A page-level thought."},
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "comment" and response.json()["target"] is None


def test_replies_nest_and_share_the_thread(client, student, student2, blog_reading):
    client.force_login(student)
    top = post_critique(client, blog_reading).json()
    client.force_login(student2)
    reply = api(client, "post", f"/annotations/{top['id']}/replies", {"text": "Too early to say."})
    assert reply.status_code == 201
    deeper = api(client, "post", f"/annotations/{reply.json()['id']}/replies", {"text": "Why?"})
    assert deeper.json()["parent"] == reply.json()["id"]
    assert deeper.json()["thread"] == top["id"]
    assert deeper.json()["kind"] == "reply"


def test_editing_your_own_marks_it_edited(as_student, blog_reading):
    created = post_critique(as_student, blog_reading).json()
    response = api(
        as_student,
        "patch",
        f"/annotations/{created['id']}",
        {"text": "Premature, **surely**?", "tags": ["timing"], "kind": "question"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["edited"] is True and body["kind"] == "question" and body["tags"] == ["timing"]
    assert "<strong>surely</strong>" in body["html"]


def test_a_reply_or_an_edit_over_the_limit_is_a_400_and_changes_nothing(
    client, student, student2, blog_reading
):
    # The page refuses these before sending; a script or an old page gets the same answer.
    client.force_login(student)
    created = post_critique(client, blog_reading).json()
    long = "x" * 10_001
    edit = api(client, "patch", f"/annotations/{created['id']}", {"text": long})
    client.force_login(student2)
    reply = api(client, "post", f"/annotations/{created['id']}/replies", {"text": long})
    for response in (edit, reply):
        assert response.status_code == 400
        assert "10,001 characters; the limit is 10,000" in response.json()["detail"]
    assert Annotation.objects.get(pk=created["id"]).text == "Is the sweet spot claim premature?"
    assert not Annotation.objects.filter(parent_id=created["id"]).exists()


def test_nobody_edits_or_deletes_anothers_annotation(
    client, student, student2, instructor, blog_reading
):
    client.force_login(student)
    created = post_critique(client, blog_reading).json()
    for other in (student2, instructor):
        client.force_login(other)
        assert (
            api(client, "patch", f"/annotations/{created['id']}", {"text": "mine now"}).status_code
            == 403
        )
        assert api(client, "delete", f"/annotations/{created['id']}").status_code == 403
    assert Annotation.objects.get(pk=created["id"]).text == "Is the sweet spot claim premature?"


def test_deleting_leaves_a_tombstone_only_where_there_are_replies(
    client, student, student2, blog_reading
):
    client.force_login(student)
    lonely = post_critique(client, blog_reading, client_id="a").json()
    answered = post_critique(client, blog_reading, client_id="b").json()
    client.force_login(student2)
    api(client, "post", f"/annotations/{answered['id']}/replies", {"text": "An answer"})
    client.force_login(student)
    assert api(client, "delete", f"/annotations/{lonely['id']}").status_code == 204
    assert api(client, "delete", f"/annotations/{answered['id']}").status_code == 204
    client.force_login(student2)
    items = {
        a["id"]: a
        for a in api(client, "get", f"/readings/{blog_reading.pk}/annotations").json()["items"]
    }
    assert lonely["id"] not in items
    tombstone = items[answered["id"]]
    assert tombstone["deleted"] is True
    assert tombstone["text"] == "" and tombstone["author"]["name"] == ""
    assert api(client, "get", f"/annotations/{lonely['id']}").status_code == 404
    # Soft: the row and its words are still in the database.
    assert Annotation.objects.get(pk=lonely["id"]).text


def test_helpful_mark_once_per_person_not_on_your_own(client, student, student2, blog_reading):
    client.force_login(student)
    created = post_critique(client, blog_reading).json()
    assert api(client, "post", f"/annotations/{created['id']}/vote").status_code == 400
    client.force_login(student2)
    assert api(client, "post", f"/annotations/{created['id']}/vote").json() == {
        "votes": 1,
        "voted": True,
    }
    assert api(client, "post", f"/annotations/{created['id']}/vote").json()["votes"] == 1
    listed = api(client, "get", f"/annotations/{created['id']}").json()
    assert (listed["votes"], listed["voted"]) == (1, True)
    assert api(client, "delete", f"/annotations/{created['id']}/vote").json() == {
        "votes": 0,
        "voted": False,
    }
    assert Vote.objects.count() == 0


@pytest.mark.parametrize(
    ("visibility", "sees"),
    [
        ("private", {"author"}),
        ("instructors", {"author", "instructor", "ta"}),
        ("seminar", {"author", "instructor", "ta", "student2"}),
    ],
)
def test_visibility(
    client, student, student2, instructor, ta, outsider, blog_reading, visibility, sees
):
    client.force_login(student)
    created = post_critique(client, blog_reading, visibility=visibility).json()
    cast = {
        "author": student,
        "student2": student2,
        "instructor": instructor,
        "ta": ta,
        "outsider": outsider,
    }
    for name, user in cast.items():
        client.force_login(user)
        single = api(client, "get", f"/annotations/{created['id']}")
        listing = api(client, "get", f"/readings/{blog_reading.pk}/annotations")
        ids = [a["id"] for a in listing.json().get("items", [])]
        if name in sees:
            assert single.status_code == 200 and created["id"] in ids, name
        else:
            assert single.status_code == 404, name
            assert created["id"] not in ids, name
            # Nothing leaks through replies, marks or edits either.
            for method, path in [("post", "/replies"), ("post", "/vote"), ("patch", "")]:
                response = api(client, method, f"/annotations/{created['id']}{path}", {"text": "x"})
                assert response.status_code == 404, (name, method, path)


def test_instructors_thread_shows_staff_replies_to_its_author(
    client, student, instructor, blog_reading
):
    client.force_login(student)
    question = post_critique(client, blog_reading, visibility="instructors").json()
    client.force_login(instructor)
    reply = api(client, "post", f"/annotations/{question['id']}/replies", {"text": "Good point"})
    assert reply.json()["visibility"] == "instructors"
    client.force_login(student)
    assert api(client, "get", f"/annotations/{reply.json()['id']}").status_code == 200


def test_outsiders_and_anonymous_get_nothing(client, outsider, blog_reading):
    assert api(client, "get", f"/readings/{blog_reading.pk}/annotations").status_code == 401
    client.force_login(outsider)
    assert api(client, "get", f"/readings/{blog_reading.pk}/annotations").status_code == 404
    assert api(client, "get", f"/readings/{blog_reading.pk}").status_code == 404
    response = post_critique(client, blog_reading)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found, or you may not see it."}


def test_pseudonyms_hide_students_from_peers_but_not_from_staff(
    client, student, student2, instructor, seminar, blog_reading
):
    seminar.anonymous_peers = True
    seminar.save()
    client.force_login(student)
    created = post_critique(client, blog_reading).json()
    assert created["author"]["name"] == "Lena Ortiz"  # you always see yourself
    client.force_login(student2)
    seen = api(client, "get", f"/annotations/{created['id']}").json()["author"]
    assert seen["pseudonym"] is True and seen["name"] != "Lena Ortiz"
    again = api(client, "get", f"/readings/{blog_reading.pk}/annotations").json()
    assert {a["author"]["name"] for a in again["items"] if a["id"] == created["id"]} == {
        seen["name"]
    }
    assert "Lena" not in json.dumps(again)
    client.force_login(instructor)
    assert api(client, "get", f"/annotations/{created['id']}").json()["author"]["name"] == (
        "Lena Ortiz"
    )


def test_session_writes_need_the_csrf_token(student, blog_reading):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = post_critique(client, blog_reading)
    assert response.status_code == 403
    assert not Annotation.objects.filter(kind="critique").exists()


def test_bearer_token_acts_as_its_owner_until_revoked(student, blog_reading):
    token, key = token_create(user=student, name="grading script")
    assert key not in token.key_hash and len(token.key_hash) == 64
    client = Client(enforce_csrf_checks=True)  # tokens need no CSRF token
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = api(
        client, "post", f"/readings/{blog_reading.pk}/annotations", critique(blog_reading), **auth
    )
    assert response.status_code == 201
    assert response.json()["author"]["is_me"] is True
    token_revoke(token=token)
    assert api(client, "get", f"/readings/{blog_reading.pk}/annotations", **auth).status_code == 401
    assert api(client, "get", "/seminars", HTTP_AUTHORIZATION="Bearer sem_wrong").status_code == (
        401
    )


def test_seminar_and_reading_endpoints(as_student, seminar, blog_reading, draft_reading):
    seminars = api(as_student, "get", "/seminars").json()
    assert [(s["id"], s["role"]) for s in seminars] == [(seminar.pk, "student")]
    readings = api(as_student, "get", f"/seminars/{seminar.pk}/readings").json()
    assert [r["id"] for r in readings] == [blog_reading.pk]  # not the draft
    reading = api(as_student, "get", f"/readings/{blog_reading.pk}").json()
    assert reading["text"] == blog_reading.current_revision.text
    assert api(as_student, "get", f"/readings/{draft_reading.pk}").status_code == 404


def _seed(reading, author, count):
    revision = reading.current_revision
    start = revision.text.index(PASSAGE)
    roots = Annotation.objects.bulk_create(
        Annotation(
            reading=reading,
            revision=revision,
            anchored_revision=revision,
            author=author,
            kind="critique",
            text=f"n{i}",
            html=f"<p>n{i}</p>",
            quote_exact=PASSAGE,
            start=start,
            end=start + len(PASSAGE),
            anchor_status="anchored",
        )
        for i in range(count // 2)
    )
    Annotation.objects.bulk_create(
        Annotation(
            reading=reading,
            revision=revision,
            author=author,
            kind="reply",
            parent=root,
            thread=root,
            text="r",
            html="<p>r</p>",
        )
        for root in roots
    )


def test_list_query_count_does_not_grow(
    client, student, student2, blog_reading, django_assert_max_num_queries
):
    client.force_login(student2)
    _seed(blog_reading, student, 10)
    # A first load builds the audience's shared document and stores it (the database cache
    # takes five queries to store one entry); tests/annotations/test_listing.py counts more.
    with django_assert_max_num_queries(14) as few:
        assert api(client, "get", f"/readings/{blog_reading.pk}/annotations").json()["count"] == 13
    _seed(blog_reading, student, 990)
    cache.clear()  # made whole again, as the first time
    nearcache.clear_all()
    with django_assert_max_num_queries(len(few)) as many:
        listed = api(client, "get", f"/readings/{blog_reading.pk}/annotations").json()
    assert listed["count"] == 1003
    assert len(many) == len(few)


def test_reading_page_query_count_does_not_grow(
    client, student, blog_reading, django_assert_max_num_queries
):
    client.force_login(student)
    _seed(blog_reading, student, 10)
    with django_assert_max_num_queries(15) as few:
        assert client.get(blog_reading.get_absolute_url()).status_code == 200
    _seed(blog_reading, student, 990)
    cache.clear()  # made again, as the first time (passages alone leave the kept page)
    nearcache.clear_all()
    with django_assert_max_num_queries(len(few)) as many:
        assert client.get(blog_reading.get_absolute_url()).status_code == 200
    assert len(many) == len(few)
