"""Markdown in posts: what survives sanitizing, what a refused link becomes, and that no text
within the length limit keeps the server busy."""

import time

import pytest

from annotations.rendering import MAX_TEXT_CHARS, render_markdown
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


# Each took Python-Markdown from 4 to over 30 seconds at the length limit: it looked for the
# closing bracket of every "[" (and parenthesis of every "](") to the end of the text.
@pytest.mark.parametrize("unit", ["[", "![", "[(", "[a](", "[a][", "[a] [", "[]("])
def test_a_text_of_unclosed_brackets_renders_in_moments(unit):
    text = (unit * MAX_TEXT_CHARS)[:MAX_TEXT_CHARS]
    started = time.perf_counter()
    html = render_markdown(text)
    assert time.perf_counter() - started < 2
    assert html.startswith("<p>")


def test_links_still_close_where_they_did():
    text = "[a [nested] link](https://example.org/(x)) and [another](/b) ![pic](/i.png) [x]"
    assert render_markdown(text) == (
        '<p><a href="https://example.org/(x)" rel="noopener noreferrer nofollow">a [nested]'
        ' link</a> and <a href="/b" rel="noopener noreferrer nofollow">another</a>  [x]</p>'
    )


def test_lists_nested_past_python_s_stack_show_as_written(blog_reading, student):
    # Thousands of "* " are as many nested lists to Markdown: a RecursionError, once.
    critique = annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text="* " * 4990 + "deep",
        quote={"exact": SWEET_SPOT},
    )[0]
    assert critique.html.startswith("<p>* * * ")
    assert critique.html.endswith("* deep</p>")
