"""The annotator on the reading page, in a real browser: select, annotate, discuss, stay safe.

Selections are made the way a browser makes them (a DOM Range in the document selection,
then the mouseup a mouse would send), so the page's own selection handling runs; the
keyboard test uses no mouse at all.
"""

import pytest
from playwright.sync_api import expect

from annotations import services
from annotations.models import Annotation, Vote
from annotations.revisions.readings import parse_pasted, reading_import
from seminar.models import Membership, Role
from tests.texts import SWEET_SPOT

from ..conftest import PASSWORD, make_user
from .conftest import ARTIFACTS, LAPTOP, PHONE, log_in, screenshot

pytestmark = pytest.mark.browser


# Finds `phrase` in one text node of the body, selects it, and lets go of the mouse there.
SELECT = """(phrase) => {
  const root = document.getElementById("reading-body");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(phrase);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + phrase.length);
    const selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    node.parentElement.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
    return true;
  }
  throw new Error("not in the text: " + phrase);
}"""

HIGHLIGHTS = """(name) => {
  const highlight = CSS.highlights.get(name);
  return highlight ? [...highlight].map((range) => range.toString()) : [];
}"""


def open_reading(open_page, user, reading, viewport=LAPTOP):
    page = open_page(viewport)
    log_in(page, user.username, PASSWORD)
    page.goto(reading.get_absolute_url())
    wait_ready(page)
    return page


def wait_ready(page):
    # Set by the page once the saved highlights are painted (a selector: the strict CSP
    # forbids the eval that wait_for_function would need).
    page.wait_for_selector("body[data-annotator-ready]", state="attached")


def screen(page, name):
    """Only what is on screen: a full-page capture misplaces a modal sheet."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def highlight_point(page, name):
    """The middle of a highlight's first box, relative to the reading body."""
    return page.evaluate(
        """(name) => {
          const box = [...CSS.highlights.get(name)][0].getClientRects()[0];
          const body = document.getElementById("reading-body").getBoundingClientRect();
          return {x: box.left + box.width / 2 - body.left, y: box.top + box.height / 2 - body.top};
        }""",
        name,
    )


def annotate(reading, author, phrase, kind="critique", text="A thought.", **extra):
    text_now = reading.current_revision.text
    start = text_now.index(phrase)
    annotation, _ = services.annotation_create(
        reading=reading,
        author=author,
        kind=kind,
        text=text,
        quote={"exact": phrase, "start": start, "end": start + len(phrase)},
        **extra,
    )
    return annotation


def compose(page, phrase, kind, text, tags=""):
    page.evaluate(SELECT, phrase)
    page.get_by_role("button", name="Annotate").click()
    page.get_by_role("radio", name=kind.capitalize()).check()
    page.get_by_role("textbox", name="Your annotation").fill(text)
    if tags:
        page.get_by_label("Tags").fill(tags)
    page.get_by_role("button", name="Save annotation").click()
    page.wait_for_selector("dialog[open]", state="detached")


def test_student_annotates_a_passage_and_it_is_painted_exactly(open_page, student, blog_reading):
    page = open_reading(open_page, student, blog_reading)
    assert page.locator(".margin-empty").inner_text().startswith("No annotations yet")

    compose(page, SWEET_SPOT, "critique", "Is the sweet spot claim premature?", "timing, evidence")
    thread = page.locator(".thread", has_text="Is the sweet spot claim premature?")
    assert thread.locator(".thread-quote").inner_text() == SWEET_SPOT
    expect(page.locator("#annotator-status")).to_have_text("Critique saved.")

    stored = Annotation.objects.get(reading=blog_reading, kind="critique")
    text = blog_reading.current_revision.text
    assert stored.quote_exact == SWEET_SPOT
    assert (stored.start, stored.end) == (
        text.index(SWEET_SPOT),
        text.index(SWEET_SPOT) + len(SWEET_SPOT),
    )
    assert stored.tags == ["timing", "evidence"]
    assert stored.quote_prefix == text[stored.start - 32 : stored.start]

    page.reload()
    wait_ready(page)
    assert page.evaluate(HIGHLIGHTS, "annot-critique") == [SWEET_SPOT]
    assert page.evaluate(HIGHLIGHTS, "annot-depth-1") == [SWEET_SPOT]

    # Clicking the highlighted words focuses their thread.
    page.locator("#reading-body").click(position=highlight_point(page, "annot-critique"))
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == f"Critique by Lena Ortiz on “{SWEET_SPOT[:59]}…”"


def test_another_student_replies_and_marks_it_helpful(open_page, student, student2, blog_reading):
    critique = annotate(
        blog_reading, student, SWEET_SPOT, text="Is the sweet spot claim premature?"
    )
    page = open_reading(open_page, student2, blog_reading)
    card = page.locator(".thread-card", has_text="Is the sweet spot claim premature?")

    helpful = card.get_by_role("button", name="Helpful")
    assert helpful.get_attribute("aria-pressed") == "false"
    helpful.click()
    page.wait_for_selector(".thread-card [aria-pressed='true']")
    assert helpful.locator(".vote-count").inner_text() == "1"

    card.get_by_role("button", name="Reply to Lena Ortiz").click()
    page.get_by_label("Reply to Lena Ortiz").fill("Premature, yes: the north is not secure.")
    page.get_by_role("button", name="Post reply").click()
    reply = card.locator(".reply .post-card")
    assert reply.locator(".post-author").inner_text() == "Sam Park"
    assert reply.locator(".post-text").inner_text() == "Premature, yes: the north is not secure."
    # Your own reply offers edit and delete, not a helpful mark.
    assert reply.get_by_role("button", name="Edit your post").is_visible()
    assert reply.get_by_role("button", name="Helpful").count() == 0

    page.reload()
    wait_ready(page)
    helpful = page.locator(".thread-card").first.get_by_role("button", name="Helpful").first
    assert helpful.get_attribute("aria-pressed") == "true"
    assert helpful.locator(".vote-count").inner_text() == "1"
    assert Vote.objects.filter(annotation=critique, user=student2).exists()
    assert critique.replies.get().text == "Premature, yes: the north is not secure."

    # The author sees the count but cannot mark their own post.
    own = open_reading(open_page, student, blog_reading)
    top = own.locator(".thread-card").first.locator(".post-card").first
    assert top.get_by_role("button", name="Helpful").count() == 0
    assert top.locator(".vote-static").get_attribute("title") == "1 person found this helpful"
    assert top.locator(".vote-static .vote-count").inner_text() == "1"


def test_emoji_and_curly_quotes_anchor_by_code_points(open_page, seminar, instructor, student):
    source = (
        "Peace and justice\n\n"
        "“Peace” 🕊️ is not the absence of war — it’s 🙂 the presence of justice. "
        "Then 👩🏽‍⚖️ judges 𝒶𝓃𝒹 more.\n"
    )
    parsed = parse_pasted(source=source, format="text")
    reading = reading_import(seminar=seminar, creator=instructor, parsed=parsed, status="published")
    phrase = "🕊️ is not the absence of war — it’s 🙂 the presence of justice"
    page = open_reading(open_page, student, reading)
    compose(page, phrase, "question", "Which justice?")
    page.locator(".thread", has_text="Which justice?").wait_for()

    text = reading.current_revision.text
    stored = Annotation.objects.get(reading=reading, kind="question")
    assert (stored.start, stored.end) == (text.index(phrase), text.index(phrase) + len(phrase))
    assert stored.quote_exact == phrase
    assert stored.quote_prefix == text[: text.index(phrase)][-32:]

    # An astral span after the first: the offsets keep counting code points.
    compose(page, "👩🏽‍⚖️ judges 𝒶𝓃𝒹", "note", "Styled letters.")
    page.locator(".thread", has_text="Styled letters.").wait_for()
    note = Annotation.objects.get(reading=reading, kind="note")
    assert text[note.start : note.end] == "👩🏽‍⚖️ judges 𝒶𝓃𝒹"

    page.reload()
    wait_ready(page)
    assert page.evaluate(HIGHLIGHTS, "annot-question") == [phrase]
    assert page.evaluate(HIGHLIGHTS, "annot-note") == ["👩🏽‍⚖️ judges 𝒶𝓃𝒹"]


def test_keyboard_only_annotation(open_page, student, blog_reading):
    page = open_reading(open_page, student, blog_reading)
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Select text with keyboard":
            break
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "reading-body"
    # The caret starts at the first word; select three words, one word at a time.
    for _ in range(3):
        page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "composer-text"
    page.keyboard.type("Whose aid, exactly?")
    # Back to the kinds (a radio group: arrows choose), then forward to Save.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("aid")
    page.keyboard.press("Tab")  # who can see it
    page.keyboard.press("Tab")  # cancel
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Save annotation"
    page.keyboard.press("Enter")
    page.wait_for_selector("dialog[open]", state="detached")

    stored = Annotation.objects.get(reading=blog_reading, kind="question")
    assert stored.quote_exact == "With the increase"
    assert stored.text == "Whose aid, exactly?"
    assert stored.tags == ["aid"]
    # Focus is on the new post; Escape there goes back to the text, for the next selection.
    expect(page.locator(f"#annotation-{stored.pk}")).to_be_focused()
    expect(page.locator("#annotator-status")).to_have_text(
        "Question saved. Escape goes back to the text."
    )
    page.keyboard.press("Escape")
    expect(page.locator("#reading-body")).to_be_focused()
    # Enter on a highlighted word opens its thread.
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    expect(page.locator(".thread-card:focus")).to_have_count(1)


def test_phone_creates_an_annotation(open_page, student, blog_reading):
    page = open_reading(open_page, student, blog_reading, PHONE)
    page.evaluate(SELECT, "foreign aid and support")
    page.get_by_role("button", name="Annotate").click()
    # A bottom sheet as wide as the screen.
    sheet = page.locator("dialog.composer").bounding_box()
    assert sheet["width"] == PHONE["width"]
    assert sheet["y"] + sheet["height"] == pytest.approx(PHONE["height"], abs=1)
    page.get_by_role("radio", name="Evidence").check()
    page.get_by_role("textbox", name="Your annotation").fill(
        "Which donors, and how much was delivered?"
    )
    screen(page, "annotator-phone-composer")
    page.get_by_role("button", name="Save annotation").click()
    page.wait_for_selector("dialog[open]", state="detached")
    page.locator(".thread", has_text="Which donors").wait_for()
    assert page.evaluate(HIGHLIGHTS, "annot-evidence") == ["foreign aid and support"]
    # The margin sits under the text.
    body = page.locator("#reading-body").bounding_box()
    margin = page.locator("#annotator-margin").bounding_box()
    assert margin["y"] > body["y"] + body["height"]
    page.reload()  # a fresh page: no selection, no "saved" notice over the text
    wait_ready(page)
    screenshot(page, "annotator-phone")

    # A tap on the highlight offers its thread (under the text) rather than jumping there.
    page.locator("#reading-body").click(position=highlight_point(page, "annot-evidence"))
    assert page.locator(".peek-text").inner_text() == "Evidence by Lena Ortiz"
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator(".thread-card:focus")).to_have_count(1)


def test_laptop_layout_overlaps_kinds_and_filters(
    open_page, seminar, ta, student, student2, blog_reading
):
    critique = annotate(
        blog_reading,
        student,
        SWEET_SPOT,
        "critique",
        "Is the *sweet spot* claim premature?",
        tags=["timing", "evidence"],
    )
    annotate(
        blog_reading,
        student2,
        "sweet spot of timing",
        "question",
        "What would the wrong method be?",
    )
    annotate(
        blog_reading,
        student2,
        "promised more than $250m for an African-led force",
        "evidence",
        "Pledged is not delivered: see the Guardian piece.",
        tags=["funding"],
    )
    annotate(
        blog_reading,
        ta,
        "Mensah and Lund, (2009)",
        "connection",
        "Week 2: timing of diplomatic interventions.",
    )
    annotate(
        blog_reading,
        student,
        "the insurgents’ safe haven",
        "note",
        "Look up the 2012 timeline.",
        visibility="private",
    )
    services.reply_create(
        parent=critique, author=ta, text="Good question: what counts as *struck*?"
    )
    services.vote_add(annotation=critique, user=student2)

    page = open_reading(open_page, student2, blog_reading)
    assert page.locator(".thread").count() == 4  # the private note is not Sam's to see
    assert page.evaluate(HIGHLIGHTS, "annot-depth-2") == ["sweet spot of timing"]
    # Reading order: by where the passage starts.
    quotes = page.locator(".thread-quote").all_inner_texts()
    assert quotes == [
        "promised more than $250m for an African-led force",
        "Mensah and Lund, (2009)",
        SWEET_SPOT,
        "sweet spot of timing",
    ]
    ta_reply = page.locator(".reply .post-card", has_text="what counts as")
    assert ta_reply.locator(".author-role").inner_text() == "TA"
    # Wide screens: the margin is beside the text.
    body = page.locator("#reading-body").bounding_box()
    margin = page.locator("#annotator-margin").bounding_box()
    assert margin["x"] > body["x"] + body["width"]
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "annotator-laptop")

    page.get_by_role("button", name="Question").click()
    assert (
        page.locator(".thread").all_inner_texts()[0].count("What would the wrong method be?") == 1
    )
    assert page.locator(".thread").count() == 1
    assert page.evaluate(HIGHLIGHTS, "annot-critique") == []
    page.get_by_role("button", name="Clear filters").click()
    page.get_by_label("Filter by tag").select_option("funding")
    assert page.locator(".thread").count() == 1
    page.get_by_label("Filter by tag").select_option("")
    page.get_by_label("Filter by author").select_option("Jonas Weber")
    assert page.locator(".thread").count() == 2  # his own, and the one he replied in
    page.get_by_label("Filter by author").select_option("")
    page.get_by_label("Only mine").check()
    assert page.locator(".thread").count() == 2
    assert page.locator(".margin-count").inner_text() == "2 of 4"

    # Activating a thread brings its passage into view and flashes it.
    page.get_by_label("Only mine").uncheck()
    page.locator(".thread-card", has_text="Week 2").focus()
    page.keyboard.press("Enter")
    assert page.evaluate(HIGHLIGHTS, "annot-active") == ["Mensah and Lund, (2009)"]


def test_edit_and_delete_keep_the_thread_shape(open_page, student, student2, blog_reading):
    critique = annotate(blog_reading, student, SWEET_SPOT, text="First thoughts.")
    services.reply_create(parent=critique, author=student2, text="A reply that stays.")
    comment = services.comment_create(reading=blog_reading, author=student, text="My page comment.")
    answered = services.comment_create(reading=blog_reading, author=student, text="Regret this.")
    services.reply_create(parent=answered, author=student2, text="Answered anyway.")
    page = open_reading(open_page, student, blog_reading)
    page.on("dialog", lambda dialog: dialog.accept())

    card = page.locator(".thread-card").first
    card.get_by_role("button", name="Edit your annotation").click()
    page.get_by_role("textbox", name="Your annotation").fill("Second thoughts.")
    page.get_by_role("radio", name="Note").check()
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_selector("dialog[open]", state="detached")
    top = page.locator(".thread-card").first.locator(".post-card").first
    assert top.locator(".post-text").inner_text() == "Second thoughts."
    assert top.locator(".post-edited").inner_text() == "edited"
    assert top.locator(".kind-badge").inner_text() == "NOTE"
    assert page.evaluate(HIGHLIGHTS, "annot-note") == [SWEET_SPOT]

    top.get_by_role("button", name="Delete your annotation").click()
    page.locator(".tombstone").wait_for()
    card = page.locator(".thread-card").first
    assert card.locator(".tombstone").inner_text() == "This post was deleted"
    assert card.locator(".reply").inner_text().count("A reply that stays.") == 1

    # Page comments: the same thread component, numbered.
    mine = page.locator(f"#annotation-{comment.pk}")
    assert mine.locator(".comment-number").inner_text() == "4"
    page.locator(".comment-thread", has=mine).get_by_role(
        "button", name="Delete your comment"
    ).click()
    page.get_by_role("heading", name="4 comments").wait_for()
    assert Annotation.objects.get(pk=comment.pk).status == "deleted"

    # With a reply, a deleted comment keeps its number as a tombstone, here and without JS.
    thread = page.locator(".comment-thread", has=page.locator(f"#annotation-{answered.pk}"))
    thread.get_by_role("button", name="Delete your comment").click()
    thread.locator(".tombstone").wait_for()
    assert thread.locator(".comment-number").inner_text() == "4"
    assert thread.locator(".reply .post-text").inner_text() == "Answered anyway."
    served = page.request.get(blog_reading.get_absolute_url()).text()
    assert "Regret this." not in served and "This post was deleted" in served


def test_stored_xss_renders_inert(open_page, seminar, student, blog_reading):
    img = '<img src=x onerror="window.__xss=1">'
    script = "<script>window.__xss=1</script>"
    svg = '"><svg onload=window.__xss=1>'
    evil = make_user("evil", f"{svg}{img}")
    Membership.objects.create(seminar=seminar, user=evil, role=Role.STUDENT)
    payload = f"{img} {script} {svg} [link](javascript:window.__xss=1)"
    critique = annotate(blog_reading, evil, SWEET_SPOT, text=payload, tags=[img, script, svg])
    services.reply_create(parent=critique, author=evil, text=payload)
    services.comment_create(reading=blog_reading, author=evil, text=payload)

    page = open_reading(open_page, student, blog_reading)
    page.locator(".reply").wait_for()
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("img[src='x'], svg, script:not([src]), [onerror], [onload]").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    # Names and tags are shown as the text they are.
    assert page.locator(".tag").all_inner_texts() == [img, script, svg]
    assert page.locator(".post-author").first.inner_text() == f"{svg}{img}"
    assert page.locator(".comment-author").last.inner_text() == f"{svg}{img}"


def test_highlights_fall_back_to_marks_without_the_highlight_api(open_page, student, blog_reading):
    annotate(blog_reading, student, SWEET_SPOT, "critique")
    annotate(blog_reading, student, "sweet spot of timing", "question")
    page = open_page()
    page.add_init_script("delete CSS.highlights")
    log_in(page, student.username, PASSWORD)
    page.goto(blog_reading.get_absolute_url())
    wait_ready(page)
    marks = page.locator("#reading-body mark.annot-mark")
    assert "".join(marks.all_inner_texts()) == SWEET_SPOT
    assert (
        page.locator("#reading-body mark.annot-mark-depth-2").inner_text() == "sweet spot of timing"
    )
    shown = page.locator("#reading-body").evaluate("el => el.textContent")
    assert shown == blog_reading.current_revision.text


def test_revised_text_paints_moved_passages_and_lists_orphans(
    open_page, seminar, instructor, student
):
    from annotations.revisions.readings import reading_save

    parsed = parse_pasted(
        source="Mandates\n\nA robust mandate without troops is a promise. Small victories count.\n",
        format="text",
    )
    reading = reading_import(seminar=seminar, creator=instructor, parsed=parsed, status="published")
    annotate(reading, student, "Small victories count", "note", "Moves with its words.")
    annotate(reading, student, "without troops", "critique", "Loses its words.")
    reading_save(
        reading=reading,
        editor=instructor,
        title=reading.title,
        byline="",
        date=None,
        due=None,
        status="published",
        source="A mandate is a promise. Elsewhere: Small victories count.\n",
        format="text",
    )
    page = open_reading(open_page, student, reading)
    assert page.evaluate(HIGHLIGHTS, "annot-note") == ["Small victories count"]
    assert page.evaluate(HIGHLIGHTS, "annot-critique") == []
    # Not painted, not among the threads on the text: listed apart, with its quote.
    orphan = page.locator("section.orphans .thread", has_text="Loses its words.")
    assert "is-stale" in orphan.get_attribute("class")
    assert page.locator("#annotator-margin > .thread-list .thread").count() == 1
    assert (
        orphan.locator(".thread-stale")
        .inner_text()
        .startswith("The text changed since this was written")
    )
    assert orphan.locator(".thread-quote").inner_text() == "without troops"
