"""Page comments: posting, Markdown, sanitizing, and the page's constant query count."""

import pytest
from django.urls import reverse

from annotations.models import Annotation
from annotations.services import comment_create
from seminar.services import ServiceError


def test_posting_a_comment_numbers_it_under_the_post(client, student, blog_reading):
    client.force_login(student)
    url = reverse("comment_post", args=[blog_reading.seminar.slug, blog_reading.slug])
    response = client.post(url, {"text": "Is the *sweet spot* claim premature?"})
    comment = Annotation.objects.get(author=student)
    assert response.url == comment.get_absolute_url()
    page = client.get(blog_reading.get_absolute_url()).text
    assert "4 comments" in page
    assert "<em>sweet spot</em>" in page


def test_comment_html_is_sanitized(blog_reading, student):
    comment = comment_create(
        reading=blog_reading,
        author=student,
        text="<script>alert(1)</script><img src=x onerror=alert(2)> "
        "[x](javascript:alert(3)) **ok**",
    )
    assert "<script" not in comment.html and "onerror" not in comment.html
    assert "javascript:" not in comment.html
    assert "<strong>ok</strong>" in comment.html


@pytest.mark.parametrize(("text", "message"), [("   ", "Write something"), ("x" * 10_001, "limit")])
def test_bad_comment_is_refused_and_saves_nothing(blog_reading, student, text, message):
    before = Annotation.objects.count()
    with pytest.raises(ServiceError, match=message):
        comment_create(reading=blog_reading, author=student, text=text)
    assert Annotation.objects.count() == before


def test_empty_comment_form_shows_the_error_next_to_the_field(client, student, blog_reading):
    client.force_login(student)
    url = reverse("comment_post", args=[blog_reading.seminar.slug, blog_reading.slug])
    response = client.post(url, {"text": ""})
    assert response.status_code == 400
    assert "This field is required." in response.text


def _page_queries(client, reading, count, author, django_assert_max_num_queries, limit):
    existing = Annotation.objects.filter(reading=reading).count()
    Annotation.objects.bulk_create(
        Annotation(
            reading=reading, author=author, kind="comment", text=f"c{i}", html=f"<p>c{i}</p>"
        )
        for i in range(count - existing)
    )
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reading.get_absolute_url())
    assert response.status_code == 200
    assert f"{count} comments" in response.text
    return len(captured)


def test_reading_page_query_count_does_not_grow_with_comments(
    client, student, blog_reading, django_assert_max_num_queries
):
    client.force_login(student)
    few = _page_queries(client, blog_reading, 5, student, django_assert_max_num_queries, 15)
    many = _page_queries(client, blog_reading, 200, student, django_assert_max_num_queries, few)
    assert many == few


def test_page_source_keeps_pseudonyms_for_peers(
    client, seminar, student, student2, instructor, blog_reading
):
    # The server-rendered list (the no-script fallback) must hide names as the API does.
    seminar.anonymous_peers = True
    seminar.save()
    comment_create(reading=blog_reading, author=student, text="Names stay private.")
    client.force_login(student2)
    page = client.get(blog_reading.get_absolute_url()).text
    assert "Names stay private." in page and student.name not in page
    client.force_login(instructor)
    assert student.name in client.get(blog_reading.get_absolute_url()).text


def test_an_over_long_comment_is_refused_beside_the_field_and_kept_whole(
    client, student, blog_reading
):
    client.force_login(student)
    page = client.get(blog_reading.get_absolute_url()).text
    assert 'name="text"' in page and "maxlength" not in page  # nothing cuts a paste
    url = reverse("comment_post", args=[blog_reading.seminar.slug, blog_reading.slug])
    before = Annotation.objects.count()
    text = "Long. " * 2_000  # 12,000 characters
    response = client.post(url, {"text": text})
    assert response.status_code == 400
    assert "That is 11,999 characters; the limit is 10,000." in response.text
    assert text.strip() in response.text  # every character back in the box
    assert Annotation.objects.count() == before
