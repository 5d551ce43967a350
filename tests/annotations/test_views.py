"""The reading page's costs and what they keep (annotations/views.py): the numbered comments,
as each person sees them, are kept under the reading's list version and made again after
any change to what anyone may see of it; a reload that follows nothing new writes no visit;
the comment form's fields are rendered once while nobody has typed in them."""

import re

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.urls import reverse

from annotations.forms import CommentForm
from annotations.moderation.services import annotation_moderate
from annotations.services import annotation_update, comment_create
from annotations.templatetags.forms_cache import form_fields
from seminar.models import ReadingVisit

COMMENT_TEXT = re.compile(r'<div class="comment-text">(.*?)</div>', re.S)


def comment_texts(page):
    return [text.strip() for text in COMMENT_TEXT.findall(page)]


def test_a_hidden_comment_leaves_the_page_at_once_though_the_last_load_was_kept(
    client, blog_reading, instructor, student, student2
):
    rude = comment_create(reading=blog_reading, author=student2, text="Rude words.")
    client.force_login(student)
    assert "<p>Rude words.</p>" in comment_texts(client.get(blog_reading.get_absolute_url()).text)
    annotation_moderate(annotation=rude, moderator=instructor, action="hide", reason="Rude")
    page = client.get(blog_reading.get_absolute_url()).text
    assert "<p>Rude words.</p>" not in comment_texts(page)
    # Its author still sees it, marked; the instructor sees it too.
    client.force_login(student2)
    assert "Hidden by a moderator" in client.get(blog_reading.get_absolute_url()).text


def test_a_new_or_edited_comment_shows_on_the_next_load(client, blog_reading, student, student2):
    client.force_login(student)
    before = comment_texts(client.get(blog_reading.get_absolute_url()).text)
    sams = comment_create(reading=blog_reading, author=student2, text="First thought.")
    after = comment_texts(client.get(blog_reading.get_absolute_url()).text)
    assert after == [*before, "<p>First thought.</p>"]
    annotation_update(annotation=sams, editor=student2, text="Second thought.")
    assert comment_texts(client.get(blog_reading.get_absolute_url()).text)[-1] == (
        "<p>Second thought.</p>"
    )


def test_each_person_keeps_their_own_comments(client, blog_reading, student, student2):
    comment_create(reading=blog_reading, author=student2, text="Everyone's.")
    client.force_login(student2)
    client.get(blog_reading.get_absolute_url())  # Sam's view is kept first
    blog_reading.seminar.premoderation = True
    blog_reading.seminar.save(update_fields=["premoderation"])
    waiting = comment_create(reading=blog_reading, author=student2, text="Awaiting approval.")
    assert waiting.status == "pending"
    assert "<p>Awaiting approval.</p>" in comment_texts(
        client.get(blog_reading.get_absolute_url()).text
    )
    client.force_login(student)
    assert "<p>Awaiting approval.</p>" not in comment_texts(
        client.get(blog_reading.get_absolute_url()).text
    )


def test_a_new_name_shows_on_the_next_load(client, blog_reading, student, student2):
    comment_create(reading=blog_reading, author=student2, text="Signed.")
    client.force_login(student)
    assert "Sam Park" in client.get(blog_reading.get_absolute_url()).text
    student2.display_name = "Samantha Park"
    student2.save(update_fields=["display_name"])
    assert "Samantha Park" in client.get(blog_reading.get_absolute_url()).text


def test_a_reload_with_nothing_new_writes_no_visit(client, blog_reading, student, student2):
    client.force_login(student)
    client.get(blog_reading.get_absolute_url())
    first = ReadingVisit.objects.get(user=student, reading=blog_reading).seen
    client.get(blog_reading.get_absolute_url())
    assert ReadingVisit.objects.get(user=student, reading=blog_reading).seen == first
    comment_create(reading=blog_reading, author=student2, text="News.")
    client.get(blog_reading.get_absolute_url())
    assert ReadingVisit.objects.get(user=student, reading=blog_reading).seen > first


def test_a_reload_asks_fewer_queries_than_a_first_load(
    client, blog_reading, student, django_assert_max_num_queries
):
    client.force_login(student)
    with django_assert_max_num_queries(15) as first:
        client.get(blog_reading.get_absolute_url())
    # Kept: the visit stands, and the comments' visibility is not asked again.
    with django_assert_max_num_queries(len(first) - 6):
        client.get(blog_reading.get_absolute_url())


def test_the_empty_comment_form_is_crispys_and_a_sent_one_keeps_its_error(
    client, blog_reading, student
):
    assert form_fields(CommentForm()) == as_crispy_form(CommentForm())
    assert form_fields(CommentForm()) is form_fields(CommentForm())  # made once
    client.force_login(student)
    url = reverse("comment_post", args=[blog_reading.seminar.slug, blog_reading.slug])
    response = client.post(url, {"text": ""})
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert "This field is required." not in client.get(blog_reading.get_absolute_url()).text
