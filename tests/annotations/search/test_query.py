"""Reading the search box: websearch syntax, and FTS5 that never holds user syntax."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.search.query import parse


def test_words_phrases_or_and_minus():
    query = parse('timing "sweet spot" -military or chad')
    assert query.fts5() == '(("timing" AND "sweet spot") NOT "military") OR ("chad")'
    assert query.websearch() == '"timing" "sweet spot" -"military" or "chad"'


@pytest.mark.parametrize(
    ("text", "fts5"),
    [
        ("", ""),
        ('"', ""),
        ('"open phrase', '("open phrase")'),
        ("NEAR(a b)", '("NEAR(a" AND "b)")'),
        ("a AND b", '("a" AND "AND" AND "b")'),
        ("or or", ""),
        ("-alone", ""),
        ("- x", '("x")'),
        ("col:word ^x *", '("col:word" AND "^x")'),
    ],
)
def test_odd_text(text, fts5):
    assert parse(text).fts5() == fts5


@given(st.text(max_size=200))
def test_any_text_makes_only_quoted_terms(text):
    expression = parse(text).fts5()
    # Outside quoted strings only our own operators and brackets.
    outside = expression.split('"')[::2]
    assert all(set(part) <= set(" ()ANDORT") for part in outside)
    assert expression.count('"') % 2 == 0
