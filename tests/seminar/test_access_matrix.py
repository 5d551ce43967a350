"""Every page and every API operation, as everyone who may not reach what it names.

Generated from the URL resolver and the OpenAPI schema, so a new page or endpoint is covered
the day it is added (a new API write needs an example body below, or this fails). For each:

- an outsider (an instructor of another seminar) gets a 404 for anything in this seminar;
- anyone who is not logged in is sent to log in (pages) or gets a 401 (API);
- a revoked API token is a 401;
- a classmate, the TA and the instructor get a 404 for a student's private note;
- and none of these requests changes anything in the database.
"""

import re

import pytest
from django.apps import apps
from django.core import serializers
from django.test import Client
from django.urls import URLResolver, get_resolver

from annotations.models import ExportJob
from annotations.services import annotation_create
from seminar.api import api as ninja_api
from seminar.models import Group
from seminar.tokens import token_create, token_revoke
from tests.apicalls import api
from tests.texts import AID, CITATION

# A body each API write would accept from someone allowed: the access check must answer,
# not the validation of an empty body.
BODIES = {
    "create_annotation": {"kind": "comment", "text": "Let me in."},
    "update_annotation": {"text": "Changed by someone else."},
    "create_reply": {"text": "A reply."},
    "revise_reading": {"body": "A new text."},
    "change_reading": {"peer_visibility": "after_posting"},
    "reattach_annotation": {"target": {"selector": [{"type": "TextQuoteSelector", "exact": AID}]}},
    "flag_annotation": {"reason": "spam"},
    "moderate_annotation": {"action": "hide", "reason": "Because."},
    "set_score": {"score": 1, "comment": ""},
    "resolve_question": {"state": "answered", "note": ""},
    "start_export": {},
    "create_group": {"name": "Group B"},
    "rename_group": {"name": "Group C"},
    "set_group_members": {"members": ["lena"]},
    "split_groups": {"size": 2, "replace": True},
}
UNSAFE = {"post", "put", "patch", "delete"}


def everything():
    """The whole database as text: what a request may not change."""
    models = [*apps.get_app_config("seminar").get_models()]
    models += apps.get_app_config("annotations").get_models()
    # Opening a reading remembers when (what is new since is the dashboard's), and the
    # throttles count attempts (seminar.throttling): neither is an act.
    models = [m for m in models if m.__name__ not in ("ReadingVisit", "ThrottleWindow")]
    return {m.__name__: serializers.serialize("json", m.objects.order_by("pk")) for m in models}


@pytest.fixture
def world(seminar, instructor, ta, student, student2, outsider, blog_reading, draft_reading):
    note, _ = annotation_create(
        reading=blog_reading,
        author=student,
        kind="note",
        text="My private thought.",
        visibility="private",
        quote={"exact": CITATION},
    )
    post, _ = annotation_create(
        reading=blog_reading, author=student, kind="critique", text="Public.", quote={"exact": AID}
    )
    job = ExportJob.objects.create(seminar=seminar, requested_by=instructor)
    membership = seminar.memberships.get(user=student)
    return {
        "slug": seminar.slug,
        "reading_slug": blog_reading.slug,
        "pk": post.pk,
        "number": 1,
        "student_id": student.pk,
        "job_id": job.pk,
        "fmt": "csv",
        "seminar_id": seminar.pk,
        "reading_id": blog_reading.pk,
        "annotation_id": post.pk,
        "membership": membership.pk,
        "note": note.pk,
        "group_id": Group.objects.create(seminar=seminar, name="Group A").pk,
    }


def page_routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p.name

    return [(route, name) for route, name in walk(get_resolver().url_patterns)]


def fill(route, values, name=None):
    def value(match):
        key = match.group(2)
        if key == "pk" and name in ("member_role", "member_remove"):
            key = "membership"
        return str(values[key])

    return "/" + re.sub(r"<(\w+:)?(\w+)>", value, route)


SEMINAR_PAGES = [(r, n) for r, n in page_routes() if "<slug:slug>" in r]
OPERATIONS = [
    (path, method, op)
    for path, ops in ninja_api.get_openapi_schema()["paths"].items()
    for method, op in ops.items()
]
API_OPERATIONS = [(path, method, op["operationId"]) for path, method, op in OPERATIONS]
BODY_TAKEN = {op["operationId"]: "requestBody" in op for _, _, op in OPERATIONS}


def operation_name(operation_id):
    # django-ninja names operations "<module path>_<function>"; the function is the key.
    return next((name for name in BODIES if operation_id.endswith(name)), operation_id)


def call_api(client, path, method, operation_id, values, **extra):
    url = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path).removeprefix("/api")
    body = None
    if BODY_TAKEN[operation_id]:
        name = operation_name(operation_id)
        assert name in BODIES, f"add an example body for {operation_id} to BODIES"
        body = BODIES[name]
    return api(client, method, url, body, **extra)


def test_the_matrix_covers_every_page_and_operation():
    assert len(SEMINAR_PAGES) >= 30 and len(API_OPERATIONS) >= 20


@pytest.mark.parametrize(("route", "name"), SEMINAR_PAGES, ids=[n for _, n in SEMINAR_PAGES])
def test_an_outsider_meets_404_on_every_seminar_page_and_changes_nothing(
    client, world, outsider, route, name
):
    url = fill(route, world, name)
    client.force_login(outsider)
    before = everything()
    # 405 for the wrong method comes before any lookup: it says nothing of the seminar.
    assert client.get(url).status_code in (404, 405), url
    assert client.post(url, {}).status_code in (404, 405), url
    anonymous = Client()
    for response in (anonymous.get(url), anonymous.post(url, {})):
        assert response.status_code in (302, 404, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), url
    assert everything() == before


@pytest.mark.parametrize(
    ("path", "method", "operation"), API_OPERATIONS, ids=[o for _, _, o in API_OPERATIONS]
)
def test_an_outsider_anonymous_and_revoked_token_reach_no_operation(
    client, world, outsider, student, path, method, operation
):
    values = {**world}
    token, key = token_create(user=student, name="old script")
    token_revoke(token=token)
    client.force_login(outsider)
    before = everything()
    if "{" in path:
        assert call_api(client, path, method, operation, values).status_code == 404
    assert call_api(Client(), path, method, operation, values).status_code == 401
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert call_api(Client(), path, method, operation, values, **bearer).status_code == 401
    assert everything() == before


ON_A_POST = [(p, m, o) for p, m, o in API_OPERATIONS if "{annotation_id}" in p]


@pytest.mark.parametrize("who", ["student2", "ta", "instructor"])
@pytest.mark.parametrize(("path", "method", "operation"), ON_A_POST, ids=[o for *_, o in ON_A_POST])
def test_a_private_note_is_a_404_to_everyone_but_its_author(
    request, client, world, who, path, method, operation
):
    client.force_login(request.getfixturevalue(who))
    values = {**world, "annotation_id": world["note"]}
    before = everything()
    assert call_api(client, path, method, operation, values).status_code == 404
    assert everything() == before


@pytest.mark.parametrize("who", ["student2", "ta", "instructor"])
def test_no_page_acts_on_a_private_note_by_its_id(request, client, world, who):
    client.force_login(request.getfixturevalue(who))
    before = everything()
    for route, name in SEMINAR_PAGES:
        if name == "score_post":
            url = fill(route, {**world, "pk": world["note"]}, name)
            assert client.post(url, {"score": "1", "comment": ""}).status_code == 404, url
    assert everything() == before


def test_a_student_meets_404_not_403_on_every_staff_page(client, world, student2):
    """Grading, moderation, exports, the roster, settings and a reading's editor are the
    staff's: a student is told nothing, as an outsider is (seminar.access)."""
    client.force_login(student2)
    before = everything()
    answers = {}
    for route, name in SEMINAR_PAGES:
        url = fill(route, world, name)
        answers[name] = (client.get(url).status_code, client.post(url, {}).status_code)
    assert [name for name, codes in answers.items() if 403 in codes] == []
    for name in ("moderation_queue", "moderation_audit", "seminar_export", "gradebook", "roster"):
        assert answers[name][0] == 404, name
    assert everything() == before


def test_a_student_meets_404_on_the_staff_api(client, world, student2):
    client.force_login(student2)
    for path, method, operation in API_OPERATIONS:
        if "export" in path or path == "/api/seminars/{seminar_id}/moderation":
            assert call_api(client, path, method, operation, world).status_code == 404, path
