"""The anchoring rules: exact offsets are kept, wrong ones are corrected by context, and an
ambiguous or missing quote is refused rather than placed on other words."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.anchoring import AnchorError, anchor_at, locate

TEXT = "the French came. “Peace” 🕊️ is near — the French came again."


def test_exact_offsets_are_kept():
    start = TEXT.index("🕊️")
    anchor = locate(TEXT, exact="🕊️ is near", start=start, end=start + len("🕊️ is near"))
    assert (anchor.start, anchor.exact) == (start, "🕊️ is near")


def test_utf16_offsets_are_corrected_by_searching_the_quote():
    # A client that counted UTF-16 units would be one too far for every emoji before.
    start = TEXT.index("is near") + 1
    anchor = locate(TEXT, exact="is near", start=start, end=start + 7)
    assert TEXT[anchor.start : anchor.end] == "is near"


def test_a_repeated_quote_is_told_apart_by_its_context():
    second = TEXT.rindex("the French came")
    anchor = locate(TEXT, exact="the French came", prefix="near — ", suffix=" again")
    assert anchor.start == second
    first = locate(TEXT, exact="the French came", prefix="", suffix=". “Peace")
    assert first.start == 0


def test_a_repeated_quote_without_context_is_refused():
    with pytest.raises(AnchorError, match="occurs 2 times"):
        locate(TEXT, exact="the French came")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"exact": ""}, "empty"),
        ({"exact": "not in it"}, "not in the text"),
        ({"exact": "x" * 5001}, "at most"),
        ({"exact": "the", "start": 50, "end": 500}, "outside the text"),
        ({"exact": "the", "start": -1, "end": 2}, "outside the text"),
    ],
)
def test_bad_quotes_say_why(kwargs, message):
    with pytest.raises(AnchorError, match=message):
        locate(TEXT, **kwargs)


@given(st.text(min_size=1, max_size=200), st.data())
def test_a_located_passage_always_holds_the_quote(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    anchor = anchor_at(text, start, end)
    wrong = data.draw(st.integers(0, len(text)))
    try:
        found = locate(
            text,
            exact=anchor.exact,
            prefix=anchor.prefix,
            suffix=anchor.suffix,
            start=wrong,
            end=min(len(text), wrong + 3),
        )
    except AnchorError:
        return  # refusing is allowed; a wrong place is not
    assert text[found.start : found.end] == anchor.exact
    # Given the full context of a unique place, it finds that place.
    if text.count(anchor.exact) == 1:
        assert found.start == start


def test_the_anchoring_module_runs_without_django():
    # DESIGN.md: pure Python, so the same rules serve the API, re-anchoring and the benches.
    # A fresh interpreter with Django made unimportable must still load and use it.
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys; sys.modules['django'] = None\n"
        "import importlib.util\n"
        "spec = importlib.util.spec_from_file_location('anchoring', 'annotations/anchoring.py')\n"
        "module = sys.modules['anchoring'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "print(module.locate('one two three', exact='two').start)\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4"
