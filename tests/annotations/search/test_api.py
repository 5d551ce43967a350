"""GET /api/seminars/{id}/search: the shape, the access, and 400s that name the parameter."""

import pytest

from annotations.search.services import MAX_QUERY_CHARS
from tests.annotations.search.test_services import ODD


def get(client, seminar, **params):
    return client.get(f"/api/seminars/{seminar.pk}/search", params)


def test_results(client, palimpsest, student2, seminar):
    client.force_login(student2)
    response = get(client, seminar, q="palimpsest")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["page"] == 1 and body["pages"] == 1
    (result,) = body["results"]
    assert result["type"] == "annotation" and result["id"] == palimpsest.pk
    assert result["reading"] == palimpsest.reading_id
    assert result["url"] == palimpsest.get_absolute_url()
    assert "<mark>palimpsest</mark>" in result["snippet"]
    assert result["author"]["name"] == "Lena Ortiz" and result["score"] > 0


def test_readings_are_results_too(client, blog_reading, student2, seminar):
    client.force_login(student2)
    body = get(client, seminar, q="Lake Chad", kind="reading").json()
    assert [(r["type"], r["id"]) for r in body["results"]] == [("reading", blog_reading.pk)]


def test_outsiders_and_strangers_get_404(client, palimpsest, outsider, seminar):
    client.force_login(outsider)
    response = get(client, seminar, q="palimpsest")
    assert response.status_code == 404
    assert get(client, seminar.__class__(pk=999_999), q="x").status_code == 404


def test_anonymous_callers_get_401(client, seminar):
    assert get(client, seminar, q="x").status_code == 401


@pytest.mark.parametrize("query", ODD)
def test_odd_queries_answer_200(client, palimpsest, student2, seminar, query):
    client.force_login(student2)
    response = get(client, seminar, q=query.replace("\x00", ""))
    assert response.status_code == 200, response.content


def test_too_long_is_400_with_the_limit(client, student2, seminar):
    client.force_login(student2)
    response = get(client, seminar, q="x" * (MAX_QUERY_CHARS + 1))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("q: ") and "1000" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "100000"}, "page"),
        ({"kind": "poem"}, "kind"),
        ({"reading": "abc"}, "reading"),
        ({"reading": "999999"}, "reading"),
        ({"author": "nobody"}, "author"),
    ],
)
def test_bad_parameters_are_400_naming_them(client, palimpsest, student2, seminar, params, name):
    client.force_login(student2)
    response = get(client, seminar, q="palimpsest", **params)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{name}: ")


def test_pseudonymous_seminars_refuse_author_names(client, palimpsest, student2, seminar):
    seminar.anonymous_peers = True
    seminar.save()
    client.force_login(student2)
    response = get(client, seminar, q="palimpsest", author="lena")
    assert response.status_code == 400 and "pseudonyms" in response.json()["detail"]
    assert get(client, seminar, q="palimpsest", author="me").status_code == 200


def test_query_count_is_constant(
    client, blog_reading, student, student2, seminar, django_assert_max_num_queries
):
    from tests.annotations.search.conftest import post

    client.force_login(student2)
    post(blog_reading, student, "Epistrophe one")
    get(client, seminar, q="epistrophe")
    with django_assert_max_num_queries(12) as first:
        get(client, seminar, q="epistrophe")
    for i in range(20):
        post(blog_reading, student, f"Epistrophe {i}", tags=["t"])
    with django_assert_max_num_queries(len(first)):
        assert get(client, seminar, q="epistrophe").json()["count"] == 21
