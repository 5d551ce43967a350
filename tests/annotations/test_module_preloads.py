"""The reading page names every module of the annotator up front (`modulepreload`), so a first
visit fetches them at once instead of a level of imports at a time."""

import re
from pathlib import Path

from annotations.templatetags.modules import dependencies, module_preloads

STATIC = Path(__file__).resolve().parents[2] / "static"


def imported_anywhere():
    """Every module under static/js/annotator/, which reading.js reaches."""
    return {f"js/annotator/{p.name}" for p in (STATIC / "js" / "annotator").glob("*.js")}


def test_every_module_is_found_at_any_depth_once():
    found = dependencies("js/reading.js")
    assert set(found) == imported_anywhere()
    assert len(found) == len(set(found))
    assert found[0] == "js/annotator/app.js"  # what the entry imports comes first


def test_the_links_carry_the_static_urls():
    html = str(module_preloads("js/reading.js"))
    hrefs = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    assert len(hrefs) == len(imported_anywhere())
    assert all(h.startswith("/static/js/annotator/") and h.endswith(".js") for h in hrefs)


def test_the_reading_page_preloads_every_module(client, student, blog_reading):
    client.force_login(student)
    html = client.get(blog_reading.get_absolute_url()).content.decode()
    hrefs = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', html))
    assert hrefs == imported_anywhere()
