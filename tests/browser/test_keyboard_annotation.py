"""Annotating with the keyboard alone, quickly (static/js/annotator/keyboard.js, sentences.js).

Every press here is a real key (page.keyboard), counted from a freshly loaded page: the first
Tab reaches "Skip to the reading", Enter there turns keyboard selection on at the first word,
sentence and paragraph keys reach the passage, Enter opens the composer. What the live region
says is read from the accessibility tree (the polite status), as a screen reader would hear it.

The expected sentences come from the browser's own Intl.Segmenter over each block of the body,
the rule keyboard selection follows, not from the page's modules.
"""

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation
from tests.texts import ARTICLE

from ..conftest import import_reading
from .conftest import LAPTOP, PHONE
from .test_annotator import open_reading, wait_ready

pytestmark = pytest.mark.browser

MAX_KEYS = 15

# [[sentence, ...], ...]: each block of the body (paragraph, heading, list item), split into
# trimmed sentences.
SENTENCES = """() => {
  const root = document.getElementById("reading-body");
  const segmenter = new Intl.Segmenter(root.lang, {granularity: "sentence"});
  return [...root.querySelectorAll("p, li, h1, h2, h3, h4, h5, h6")].map((block) =>
    [...segmenter.segment(block.textContent)].map((s) => s.segment.trim()).filter(Boolean));
}"""


def status(page):
    """The page's polite live region, found by its role as assistive technology finds it."""
    region = page.get_by_role("status")
    expect(region).to_have_attribute("aria-live", "polite")
    return region


def plan(paragraph, sentence):
    """The keys from a fresh page to the composer for one sentence (both counted from 0).

    Tab reaches the skip link, Enter lands at the first word; } goes a paragraph on and
    selects its first sentence, ] the next sentence; s selects the one under the caret.
    """
    moves = ["}"] * paragraph + ["]"] * sentence
    return ["Tab", "Enter", *(moves or ["s"]), "Enter"]


def press(page, keys):
    for key in keys:
        page.keyboard.press(key)
    return len(keys)


def fresh(page, reading):
    page.goto(reading.get_absolute_url())
    wait_ready(page)


def test_every_sentence_of_the_post_is_at_most_fifteen_keys_from_the_top(
    open_page, student, blog_reading
):
    page = open_reading(open_page, student, blog_reading)
    blocks = page.evaluate(SENTENCES)
    # The post's three paragraphs, then the works cited: a heading and three entries.
    assert [len(block) for block in blocks] == [5, 4, 3, 1, 2, 2, 3]  # the post's three paragraphs
    quote = page.locator(".composer-quote")
    worst = None
    for p, block in enumerate(blocks):
        for s, sentence in enumerate(block):
            fresh(page, blog_reading)
            keys = plan(p, s)
            count = press(page, keys[:2])
            expect(page.locator("#reading-body")).to_be_focused()
            count += press(page, keys[2:])
            expect(quote).to_have_text(sentence)
            assert count <= MAX_KEYS, (sentence, keys)
            if worst is None or count > worst[0]:
                worst = (count, p, s, sentence)
            page.keyboard.press("Escape")  # closes the composer
            page.wait_for_selector("dialog[open]", state="detached")

    # The farthest sentence, annotated and saved.
    count, p, s, sentence = worst
    assert (count, sentence) == (11, blocks[6][2])  # the works cited's last entry, at the end
    assert count == 3 + max(p + s for p, block in enumerate(blocks) for s in range(len(block)))
    fresh(page, blog_reading)
    assert press(page, plan(p, s)) == count <= MAX_KEYS
    expect(quote).to_have_text(sentence)
    page.keyboard.type("Whose homepage is this?")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("dialog[open]", state="detached")
    stored = Annotation.objects.get(reading=blog_reading, kind="critique")
    assert stored.quote_exact == sentence
    assert stored.kind == "critique"
    expect(status(page)).to_have_text("Critique saved. Escape goes back to the text.")


def test_sentence_and_paragraph_keys_say_what_they_selected(open_page, student, blog_reading):
    page = open_reading(open_page, student, blog_reading)
    blocks = page.evaluate(SENTENCES)
    region = status(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the reading")).to_be_focused()
    page.keyboard.press("Enter")
    expect(region).to_contain_text("Keyboard selection on, at the start of the reading.")
    # The keys are explained where the reading body describes itself.
    help_text = page.locator("#caret-help")
    expect(page.locator("#reading-body")).to_have_attribute("aria-describedby", "caret-help")
    expect(help_text).to_be_visible()
    expect(help_text).to_contain_text("S selects the sentence, P the paragraph")

    def selected(text):
        return page.evaluate("document.getSelection().toString()") == text

    press(page, ["}", "}", "]"])
    assert selected(blocks[2][1])
    # As the accessibility tree has it: a status whose name is what was said.
    expect(region).to_match_aria_snapshot(
        '- status: "Selected: “Losing a leader of his rank … every week since.”'
        ' (sentence 2 of paragraph 3)"'
    )
    page.keyboard.press("[")
    assert selected(blocks[2][0])
    expect(region).to_contain_text("(sentence 1 of paragraph 3)")
    page.keyboard.press(".")
    assert selected(f"{blocks[2][0]} {blocks[2][1]}")
    expect(region).to_contain_text("(sentences 1 to 2 of paragraph 3)")
    page.keyboard.press(",")
    assert selected(blocks[2][0])
    page.keyboard.press(",")  # one sentence does not shrink by a sentence
    expect(region).to_have_text(
        "The selection is inside one sentence: it cannot shrink by a sentence."
    )
    page.keyboard.press("p")
    assert selected(" ".join(blocks[2]))
    expect(region).to_contain_text("(paragraph 3, 3 sentences)")
    page.keyboard.press("{")
    assert selected(blocks[1][0])

    # Words: from the caret, one word, then two more; Shift+W takes one back.
    page.keyboard.press("ArrowLeft")  # collapses to the start of the selection
    press(page, ["w", "w", "w", "Shift+W"])
    assert selected("According to")
    expect(region).to_have_text("Selected: “According to” (in sentence 1 of paragraph 2)")

    # A number repeats a move; Ctrl+End goes to the last word.
    press(page, ["Control+Home", "2", "]"])
    assert selected(blocks[0][2])
    expect(region).to_contain_text("(sentence 3 of paragraph 1)")
    press(page, ["Control+End", "["])
    assert selected(blocks[-1][-1])
    page.keyboard.press("]")
    expect(region).to_have_text("This is the last sentence of the reading.")


def test_a_number_reaches_deep_into_a_long_reading(open_page, seminar, instructor, student):
    article = import_reading(seminar, ARTICLE, creator=instructor)
    page = open_reading(open_page, student, article)
    blocks = page.evaluate(SENTENCES)
    assert len(blocks) > MAX_KEYS * 2  # beyond any one-paragraph-a-key walk
    target = next(p for p in range(len(blocks) - 1, 0, -1) if len(blocks[p]) > 1)
    # Shift+] as a keyboard sends it: Shift goes down first, and the number holds.
    keys = ["Tab", "Enter", *str(target), "Shift+BracketRight", "]"]
    press(page, keys)
    expect(status(page)).to_contain_text(f"(sentence 2 of paragraph {target + 1})")
    assert press(page, ["Enter"]) + len(keys) <= MAX_KEYS
    expect(page.locator(".composer-quote")).to_have_text(blocks[target][1])


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_after_saving_focus_goes_to_the_new_post_and_escape_comes_back(
    open_page, student, blog_reading, viewport
):
    page = open_reading(open_page, student, blog_reading, viewport)
    blocks = page.evaluate(SENTENCES)
    press(page, ["Tab", "Enter", "}", "]", "Enter"])
    page.keyboard.type("Which grievances?")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("dialog[open]", state="detached")
    stored = Annotation.objects.get(reading=blog_reading, kind="critique")
    assert stored.quote_exact == blocks[1][1]

    post = page.locator(f"#annotation-{stored.pk}")
    expect(post).to_be_focused()
    expect(post).to_have_attribute("tabindex", "-1")
    expect(post).to_be_in_viewport(ratio=1)  # scrolled to, smoothly
    expect(status(page)).to_have_text("Critique saved. Escape goes back to the text.")

    # A reply from there: focus goes to the reply.
    page.keyboard.press("Tab")
    expect(post.get_by_role("button", name="Reply to Lena Ortiz")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.type("Land and water, I think.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Post reply
    page.locator(".reply .post-card").wait_for()
    reply = Annotation.objects.get(parent=stored)
    reply_post = page.locator(f"#annotation-{reply.pk}")
    expect(reply_post).to_be_focused()
    expect(reply_post).to_be_in_viewport(ratio=1)
    expect(status(page)).to_have_text("Reply posted.")

    # Escape goes back to the caret, just after the saved sentence: ] selects the next one.
    page.keyboard.press("Escape")
    expect(page.locator("#reading-body")).to_be_focused()
    page.keyboard.press("]")
    assert page.evaluate("document.getSelection().toString()") == blocks[1][2]
