"""Request bodies no database column can hold get a 400 naming the field, on any endpoint."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.models import Annotation
from tests.annotations.test_api import critique

# Any text at all, unpaired surrogates and NUL included (what `json.loads` can produce).
ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=(), codec=None), min_size=0, max_size=40
) | st.sampled_from(["ok \ud800", "a\x00b", "\udfff", "🕊️\x00"])


def send(client, method, path, payload):
    # ensure_ascii escapes surrogates as \\udXXX, exactly what a buggy client would send.
    body = json.dumps(payload, ensure_ascii=True)
    return getattr(client, method)(f"/api{path}", data=body, content_type="application/json")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"text": "ok \ud800"}, "text"),
        ({"tags": ["a\x00b"]}, "tags[0]"),
        ({"client_id": "c\x00"}, "client_id"),
    ],
)
def test_nul_and_lone_surrogates_are_a_400_that_names_the_field(
    client, student, blog_reading, change, field
):
    client.force_login(student)
    response = send(
        client, "post", f"/readings/{blog_reading.pk}/annotations", critique(blog_reading, **change)
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{field}: contains a NUL character")
    assert not Annotation.objects.filter(reading=blog_reading).exclude(kind="comment").exists()


def test_a_body_that_is_not_json_says_so(client, student, blog_reading):
    client.force_login(student)
    response = client.post(
        f"/api/readings/{blog_reading.pk}/annotations",
        data="{nope",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON."}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=ANY_TEXT, tag=ANY_TEXT, client_id=ANY_TEXT)
def test_no_text_makes_the_annotation_api_fail(client, student, blog_reading, text, tag, client_id):
    client.force_login(student)
    created = send(
        client,
        "post",
        f"/readings/{blog_reading.pk}/annotations",
        critique(blog_reading, text=text, tags=[tag], client_id=client_id),
    )
    assert created.status_code in (200, 201, 400), created.content
    first = Annotation.objects.filter(reading=blog_reading, author=student).first()
    if first is None:
        return
    for method, path, payload in [
        ("post", f"/annotations/{first.pk}/replies", {"text": text, "client_id": client_id}),
        ("patch", f"/annotations/{first.pk}", {"text": text, "tags": [tag]}),
        ("post", f"/annotations/{first.pk}/flags", {"reason": "other", "note": text}),
    ]:
        response = send(client, method, path, payload)
        assert response.status_code < 500, (path, response.content)
