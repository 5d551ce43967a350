"""Re-anchoring through an edit (annotations.anchoring.reanchor): properties and real edits.

The rule everything here defends: a highlight on the wrong words is worse than an orphan.
"""

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from annotations.anchoring import ANCHORED, MOVED, ORPHANED, anchor_at, reanchor

WORDS = st.sampled_from(
    "peace war mission mandate troops Mali France Sahel junta coup 🕊️ café naïve e\u0301 "
    "“quoted” — … elections north south village council".split()
)


def passage(draw, min_words=30, max_words=80):
    words = draw(st.lists(WORDS, min_size=min_words, max_size=max_words))
    # Numbered words keep passages distinct, as real prose mostly is.
    return " ".join(f"{w}{i}" for i, w in enumerate(words))


@st.composite
def text_and_quote(draw):
    text = passage(draw)
    start = draw(st.integers(0, len(text) - 2))
    end = draw(st.integers(start + 1, min(len(text), start + 60)))
    return text, start, end


@st.composite
def outside_edit(draw):
    text, start, end = draw(text_and_quote())
    insertion = draw(st.text(alphabet="abc 🙂é\u0301\n", max_size=20))
    if draw(st.booleans()) and start > 1:
        a = draw(st.integers(0, start - 1))
        b = draw(st.integers(a, start - 1))
    else:
        assume(end + 1 < len(text))
        a = draw(st.integers(end + 1, len(text)))
        b = draw(st.integers(a, len(text)))
    return text, start, end, text[:a] + insertion + text[b:]


@settings(max_examples=300, deadline=None)
@given(outside_edit())
def test_an_edit_that_does_not_touch_a_quote_keeps_it_on_its_words(case):
    old, start, end, new = case
    anchor = anchor_at(old, start, end)
    (placed,) = reanchor(old, new, [anchor])
    assert placed.status != ORPHANED
    assert new[placed.anchor.start : placed.anchor.end] == anchor.exact


@st.composite
def inside_edit(draw):
    text, start, end = draw(text_and_quote())
    assume(end - start >= 4)
    a = draw(st.integers(start, end - 1))
    b = draw(st.integers(a, end))
    insertion = draw(st.text(alphabet="xyz 🙂", max_size=6))
    assume(text[a:b] != insertion)
    return text, start, end, a, b, text[:a] + insertion + text[b:], len(insertion)


@settings(max_examples=300, deadline=None)
@given(inside_edit())
def test_an_edit_inside_a_quote_finds_the_edited_words_or_orphans(case):
    old, start, end, a, b, new, inserted = case
    anchor = anchor_at(old, start, end)
    (placed,) = reanchor(old, new, [anchor])
    if placed.status == ORPHANED:
        return
    # The edited words are new[start:edited_end]. A diff may align an edit between
    # repeated letters a little to either side, so allow that much slack, and no more:
    # the placement must overlap the edited words and never reach another passage.
    edited_end = end - (b - a) + inserted
    slack = max(b - a, inserted) + 1
    found = placed.anchor
    if found.exact == anchor.exact:
        assert found.start in range(max(0, start - slack), start + slack + 1)
    else:
        assert start - slack <= found.start and found.end <= edited_end + slack
        assert found.start < edited_end and found.end > start


@settings(max_examples=200, deadline=None)
@given(text_and_quote())
@example(
    (
        "peace26 peace27 war28 war29 war30 war31 war32 mission33 mission34 mission35 mission36 "
        "mission37 “quoted”38 village39 village40",
        113,
        123,
    )
)
def test_deleting_the_quoted_words_orphans(case):
    old, start, end = case
    anchor = anchor_at(old, start, end)
    new = old[:start] + old[end:]
    assume(anchor.exact not in new)
    (placed,) = reanchor(old, new, [anchor])
    assert placed.status == ORPHANED


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_quote_that_occurs_twice_keeps_its_own_occurrence(data):
    left = passage(data.draw, 10, 20)
    right = passage(data.draw, 10, 20)
    quote = " the same words here "
    old = left + quote + right + quote + "end."
    which = data.draw(st.sampled_from([0, 1]))
    start = old.find(quote) if which == 0 else old.rfind(quote)
    anchor = anchor_at(old, start, start + len(quote))
    # An edit far from both copies: prepend a paragraph.
    new = "A new opening paragraph.\n" + old
    (placed,) = reanchor(old, new, [anchor])
    expected = new.find(quote) if which == 0 else new.rfind(quote)
    assert (placed.status, placed.anchor.start) == (ANCHORED, expected)


@settings(max_examples=200, deadline=None)
@given(text_and_quote(), st.text(alphabet="🙂🕊️e\u0301\u0301𝔘", min_size=1, max_size=8))
def test_non_bmp_and_combining_characters_never_shift_offsets(case, prefix):
    old, start, end = case
    anchor = anchor_at(old, start, end)
    new = prefix + old
    (placed,) = reanchor(old, new, [anchor])
    assert placed.status == ANCHORED
    assert (placed.anchor.start, placed.anchor.end) == (start + len(prefix), end + len(prefix))


def test_swapped_paragraphs_move_with_their_words():
    one = "The first paragraph talks about the mandate of the mission in the north."
    two = "The second paragraph is about elections that happened late in the south."
    old, new = f"{one}\n{two}", f"{two}\n{one}"
    quote = "elections that happened late"
    anchor = anchor_at(old, old.index(quote), old.index(quote) + len(quote))
    (placed,) = reanchor(old, new, [anchor])
    assert placed.anchor.start == new.index(quote)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_swapping_paragraphs_that_share_a_phrase_keeps_each_copy_with_its_paragraph(data):
    # The diff of a swap can align one paragraph's copy of a phrase with the other's: the
    # words match there, the passage does not. Each annotation must go with its paragraph.
    phrase = data.draw(st.sampled_from(["Operation Lakeshore in", "the mission", "the lake’s 🕊️"]))

    # Each paragraph's words carry its mark, so their contexts differ as real prose does.
    def marked(mark):
        return passage(data.draw, 8, 20).replace(" ", f"{mark} ") + mark

    one = f"{marked('a')} {phrase} {marked('a')}"
    two = f"{marked('b')} {phrase} {marked('b')}"
    old, new = f"{one}\n{two}", f"{two}\n{one}"
    which = data.draw(st.sampled_from([0, 1]))
    start = old.find(phrase) if which == 0 else old.rfind(phrase)
    (placed,) = reanchor(old, new, [anchor_at(old, start, start + len(phrase))])
    if placed.status == ORPHANED:
        return
    expected = len(two) + 1 + one.find(phrase) if which == 0 else two.find(phrase)
    assert placed.anchor.start == expected


def test_swapped_paragraphs_keep_repeated_phrases_on_their_own_copy():
    # "Operation Lakeshore in" ends one paragraph's sentence and opens the next one's.
    one = (
        "When the insurgents reached the ferry towns, the four armies began "
        "Operation Lakeshore in February 2014. Its aim was to retake the islands before the rains."
    )
    two = (
        "Operation Lakeshore involved boats borrowed from the fishing cooperatives, a few "
        "helicopters and the patience of the lake’s people."
    )
    old, new = f"{one}\n{two}", f"{two}\n{one}"
    phrase = "Operation Lakeshore in"
    anchors = [anchor_at(old, s, s + len(phrase)) for s in (old.find(phrase), old.rfind(phrase))]
    first, second = reanchor(old, new, anchors)
    assert first.anchor.start == len(two) + 1 + one.find(phrase)
    assert second.anchor.start == new.find(phrase)


def test_a_typo_fixed_inside_a_moved_paragraph_is_followed():
    paragraphs = [
        "The first paragraph talks about the mandate of the mission in the north and its limits.",
        "The second paragraph says this has lead to what appears to be a stalemate in the south.",
        "A third paragraph closes the argument with a note on elections and their timing.",
    ]
    old = "\n".join(paragraphs)
    quote = "this has lead to what appears"
    start = old.index(quote)
    fixed = paragraphs[1].replace("has lead", "has led")
    new = "\n".join([paragraphs[0], paragraphs[2], fixed])
    (placed,) = reanchor(old, new, [anchor_at(old, start, start + len(quote))])
    assert placed.status == MOVED
    assert placed.anchor.exact == "this has led to what appears"


def test_a_lookalike_elsewhere_is_not_taken_for_an_edited_quote():
    # The quoted sentence is deleted; a similar sentence with other context remains. The
    # fuzzy search must not land on it: it is another passage.
    old = (
        "Alpha opens the text. The council voted to delay the elections again. Beta follows.\n"
        "Gamma is unrelated. The council voted to delay the election again, twice. Delta ends."
    )
    quote = "The council voted to delay the elections again."
    start = old.index(quote)
    new = old.replace("Alpha opens the text. " + quote + " Beta follows.", "Alpha and Beta.")
    (placed,) = reanchor(old, new, [anchor_at(old, start, start + len(quote))])
    assert placed.status == ORPHANED
