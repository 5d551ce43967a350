"""Markdown in posts: what survives sanitizing, and what a refused link becomes."""

import pytest

from annotations.rendering import render_markdown
from annotations.services import annotation_create
from tests.texts import SWEET_SPOT


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ('See [js](javascript:alert("x")) here.', "<p>See js here.</p>"),
        ("[click me](javascript:alert(1))", "<p>click me</p>"),
        ("[**bold** words](JavaScript:void(0)) after", "<p><strong>bold</strong> words after</p>"),
        ("[tab](java\tscript:alert(1))", "<p>tab</p>"),
        ("[data](data:text/html,hi)", "<p>data</p>"),
        ("[ref][1]\n\n[1]: javascript:alert(1)", "<p>ref</p>"),
    ],
)
def test_a_link_with_a_disallowed_scheme_is_its_plain_text(text, html):
    assert render_markdown(text) == html


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("[ok](https://example.org/)", "https://example.org/"),
        ("[m](mailto:a@b.org)", "mailto:a@b.org"),
    ],
)
def test_a_link_with_an_allowed_scheme_stays_a_link(text, href):
    assert f'<a href="{href}" rel="noopener noreferrer nofollow">' in render_markdown(text)


def test_lena_s_critique_with_a_javascript_link_shows_its_words(blog_reading, student):
    critique = annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text='Read [js](javascript:alert("x")) first.',
        quote={"exact": SWEET_SPOT},
    )[0]
    assert critique.html == "<p>Read js first.</p>"
