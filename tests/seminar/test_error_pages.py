"""Errors in the site's own layout: a 404, a 403 and a 500 read like the rest of Seminar."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory


def test_a_missing_page_is_the_sites_404(client, student):
    client.force_login(student)
    response = client.get("/s/no-such-seminar/")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text
    assert 'aria-label="Main"' in response.text and "Go to my seminars" in response.text


def test_a_forbidden_action_is_the_sites_403(client, seminar, ta):
    client.force_login(ta)
    response = client.get(f"/s/{seminar.slug}/edit/")
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.text and 'aria-label="Main"' in response.text


def test_the_500_page_renders_without_a_request_or_a_database(db):
    # Django renders 500.html with an empty context: no user, no context processors.
    html = render_to_string("500.html")
    assert "<h1>Something went wrong</h1>" in html and "nothing you sent was half-saved" in html


@pytest.mark.parametrize("status", [403, 404])
def test_error_pages_say_nothing_of_what_was_asked(db, status):
    # Django hands the exception's message to the template; ours never shows it.
    request = RequestFactory().get("/")
    html = render_to_string(f"{status}.html", {"exception": "Secret reason"}, request=request)
    assert "Secret reason" not in html
