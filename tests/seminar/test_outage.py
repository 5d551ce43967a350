"""A database out of reach for a moment (a PostgreSQL restart: "terminating connection due
to administrator command") is a 503 with Retry-After, on pages and in the API, never a 500."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from annotations.models import Annotation
from seminar.outage import unreachable
from seminar.tokens import token_create

GONE = OperationalError("terminating connection due to administrator command")


@pytest.fixture
def lena(student):
    client = Client(raise_request_exception=False)
    client.force_login(student)
    return client


def sessions_failing(error=GONE):
    return mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=error)


def test_a_page_answers_503_and_says_to_try_again(lena, seminar):
    with sessions_failing():
        response = lena.get(f"/s/{seminar.slug}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "<h1>Back in a moment</h1>" in response.text and "try again" in response.text


def test_the_api_answers_503_in_json(lena, seminar, blog_reading):
    with sessions_failing(InterfaceError("connection already closed")):
        response = lena.get(f"/api/readings/{blog_reading.pk}/annotations")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again" in response.json()["detail"]


def test_a_write_that_meets_the_outage_is_a_503_and_stores_nothing(student, blog_reading):
    _, key = token_create(user=student, name="Lena's script")
    before = Annotation.objects.count()
    with mock.patch("annotations.services.annotation_create", side_effect=GONE):
        response = Client(raise_request_exception=False).post(
            f"/api/readings/{blog_reading.pk}/annotations",
            {"kind": "comment", "text": "Sent during a restart."},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    assert response.status_code == 503
    assert Annotation.objects.count() == before


def test_other_errors_stay_the_sites_500(lena, seminar):
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=RuntimeError("bug")
    ):
        response = lena.get(f"/s/{seminar.slug}/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text


def test_an_error_raised_from_a_lost_connection_counts_as_unreachable():
    try:
        try:
            raise GONE
        except OperationalError as error:
            raise AttributeError(
                "'SessionStore' object has no attribute '_session_cache'"
            ) from error
    except AttributeError as wrapped:
        assert unreachable(wrapped)
    assert not unreachable(ValueError("no"))
