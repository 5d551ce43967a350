"""The search page: a GET form on the seminar page, results with marks, filters, pages and
the "no results" state; 404 to outsiders."""

from django.urls import reverse

from annotations.search.services import MAX_QUERY_CHARS, PAGE_SIZE
from tests.annotations.search.conftest import post


def url(seminar, **params):
    from urllib.parse import urlencode

    return reverse("seminar_search", kwargs={"slug": seminar.slug}) + "?" + urlencode(params)


def test_the_seminar_page_has_a_search_box(client, student, seminar):
    client.force_login(student)
    page = client.get(seminar.get_absolute_url()).content.decode()
    action = reverse("seminar_search", kwargs={"slug": seminar.slug})
    assert f'action="{action}"' in page and 'role="search"' in page
    assert 'for="seminar-search-q"' in page


def test_results_are_marked_and_escaped(client, blog_reading, student, student2, seminar):
    post(blog_reading, student, "<em>An</em> anaphora <script>x()</script>")
    client.force_login(student2)
    response = client.get(url(seminar, q="anaphora"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<mark>anaphora</mark>" in page
    assert "<script>x()" not in page and "<em>An</em>" not in page
    assert "1 result for “anaphora”" in page
    assert 'aria-labelledby="search-results-heading"' in page


def test_no_results(client, palimpsest, student2, seminar):
    client.force_login(student2)
    page = client.get(url(seminar, q="<b>nothing-like-this</b>")).content.decode()
    assert "No results for “&lt;b&gt;nothing-like-this&lt;/b&gt;”" in page


def test_empty_query_shows_the_form(client, student2, seminar):
    client.force_login(student2)
    response = client.get(url(seminar))
    assert response.status_code == 200 and "No results" not in response.content.decode()


def test_filters_and_pages(client, blog_reading, student, student2, seminar):
    for n in range(PAGE_SIZE + 1):
        post(blog_reading, student, f"Hendiadys {n}", kind="comment")
    client.force_login(student2)
    page = client.get(url(seminar, q="hendiadys", kind="comment")).content.decode()
    assert f"{PAGE_SIZE + 1} results" in page and "page=2" in page and "kind=comment" in page
    assert f'<option value="{blog_reading.pk}"' in page
    second = client.get(url(seminar, q="hendiadys", kind="comment", page=2)).content.decode()
    assert "Page 2 of 2" in second and 'rel="prev"' in second


def test_bad_input_is_400_with_the_reason(client, student2, seminar):
    client.force_login(student2)
    response = client.get(url(seminar, q="x" * (MAX_QUERY_CHARS + 1)))
    assert response.status_code == 400 and "the limit is 1000" in response.content.decode()
    response = client.get(url(seminar, q="x", page="abc"))
    assert response.status_code == 400 and "page" in response.content.decode()
    response = client.get(url(seminar, q="x", reading="424242"))
    assert response.status_code == 400


def test_outsiders_get_404(client, outsider, seminar):
    client.force_login(outsider)
    assert client.get(url(seminar, q="x")).status_code == 404


def test_logged_out_people_are_sent_to_log_in(client, seminar):
    assert client.get(url(seminar, q="x")).status_code == 302
