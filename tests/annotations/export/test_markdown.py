"""The Markdown archive: the reading, then every thread, replies quoted under what they answer."""

from annotations.export import markdown
from annotations.export.markdown import _escape_line
from annotations.export.snapshot import Scope


def test_the_reading_and_its_threads_as_markdown(discussion):
    d = discussion
    text = markdown.render(Scope(d.seminar, reading=d.reading))
    assert text.startswith(f"# {d.reading.title}\n\n*Tuesday, February 11, 2014*")
    assert "African and western donors have promised more than $250m" in text
    assert "## Annotations on passages" in text
    assert "### [1] Evidence · **Sam Park** · " in text
    assert f"> “{d.critique.quote_exact}”" in text
    assert "Is the *sweet spot* claim premature?" in text
    assert "> The Guardian piece supports it, partly." in text
    assert "> > Partly is doing a lot of work there." in text  # a reply to a reply
    assert "*#timing · #evidence · 2 found this helpful · score 3/4: Sharp; cite more.*" in text
    assert "## Passages no longer in the text" in text
    assert "## 3 comments" in text and "### 1. **Reader 1**" in text
    assert "This blog is rubbish." not in text


def test_lines_that_would_become_markdown_syntax_are_escaped():
    assert _escape_line("# not a heading") == "\\# not a heading"
    assert _escape_line("1. not a list") == "\\1. not a list"
    assert _escape_line("plain") == "plain"
