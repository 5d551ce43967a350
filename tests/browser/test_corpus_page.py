"""The anchoring contract in Chromium over every real reading of the corpus (`SEMINAR_CORPUS`):
the reading body's textContent is exactly the stored text, emoji and curly quotes included."""

import pytest

from tests.texts import corpus_params

from ..conftest import PASSWORD, import_reading
from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", corpus_params())
def test_a_real_reading_shows_exactly_its_stored_text(open_page, seminar, instructor, path):
    reading = import_reading(seminar, path.name, creator=instructor, path=path)
    page = open_page()
    log_in(page, instructor.username, PASSWORD)
    page.goto(reading.get_absolute_url())
    shown = page.locator("#reading-body").evaluate("el => el.textContent")
    assert shown == reading.current_revision.text
