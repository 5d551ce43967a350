"""Snippets as HTML: escaped user text, only the marks as markup."""

from annotations.search.snippets import to_html


def test_marks_and_escapes():
    assert to_html("a \x01b<i>\x02 & c") == "a <mark>b&lt;i&gt;</mark> &amp; c"


def test_unbalanced_marks_stay_text():
    assert to_html("\x02a\x01b") == "a<mark>b</mark>"


def test_mentions_named_and_cut_ones_dropped():
    def name(text):
        return text.replace("@[member:3]", "@Amber Heron")

    assert to_html("hi @[member:3] there", name_mentions=name) == "hi @Amber Heron there"
    assert to_html("…member:3] there", name_mentions=name) == "… there"
    assert to_html("…3] there", name_mentions=name) == "… there"
    assert to_html("there @[mem…", name_mentions=name) == "there …"
