"""The HTML archive of a reading, opened from disk in Chromium with the network cut: the text,
its highlights and every thread show, and the page asks for nothing at all."""

import pytest

from annotations.export import htmlfile
from annotations.export.snapshot import Options, Scope
from tests.texts import BLOG, NEWS

from ..annotations.export.conftest import build_discussion
from ..conftest import import_reading
from .conftest import LAPTOP, PHONE, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def archive_file(tmp_path, seminar, instructor, ta, student, student2):
    reading = import_reading(seminar, BLOG, creator=instructor)
    draft = import_reading(seminar, NEWS, creator=instructor)
    d = build_discussion(seminar, instructor, ta, student, student2, reading=reading, draft=draft)
    page = htmlfile.render(Scope(d.seminar, Options(include_hidden=True), reading=d.reading))
    path = tmp_path / "reading.html"
    path.write_text(page, encoding="utf-8")
    return path, d


@pytest.mark.parametrize(("viewport", "name"), [(LAPTOP, "laptop"), (PHONE, "phone")])
def test_the_archive_reads_offline_and_requests_nothing(browser, archive_file, viewport, name):
    path, d = archive_file
    context = browser.new_context(viewport=viewport, offline=True)
    requests, errors = [], []

    def only_the_file(route):
        # Every request is counted; only the file itself may load.
        requests.append(route.request.url)
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_the_file)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")

    assert requests == [path.as_uri()]
    assert errors == []
    body = page.locator("#reading-body")
    assert "African and western donors have promised" in body.inner_text()
    assert page.locator(".post-date").inner_text().lower() == "tuesday, february 11, 2014"
    marks = page.locator("mark.hl")
    assert marks.count() >= 3
    assert d.critique.quote_exact in [marks.nth(i).inner_text() for i in range(marks.count())]
    background = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    for text in ("claim premature?", "Partly is doing a lot of work there.",
                 "This blog is rubbish.", "Who decides what counts as a"):  # fmt: skip
        assert page.get_by_text(text, exact=False).first.is_visible(), text
    assert page.get_by_role("heading", name="3 comments").is_visible()
    # A reference after a passage leads to its thread.
    page.locator("sup.ref a").first.click()
    assert page.evaluate("location.hash").startswith("#annotation-")
    screenshot(page, f"archive-{name}")
    context.close()


def test_the_archive_prints_without_colour_fills(browser, archive_file):
    path, _d = archive_file
    context = browser.new_context(offline=True)
    page = context.new_page()
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    background = page.locator("mark.hl").first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background in ("rgba(0, 0, 0, 0)", "transparent")
    assert len(page.pdf()) > 10_000  # it lays out for paper
    context.close()
