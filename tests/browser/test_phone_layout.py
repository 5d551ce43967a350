"""Every page at 390 px (a phone), as every role: nothing makes the page scroll sideways.

A wide table may scroll inside its own container, which then must be a focusable, labelled
region (a keyboard user scrolls it too: axe's scrollable-region-focusable); but the page
itself never scrolls sideways, and no visible element pokes out past the right edge unless
a container that fits the screen clips or scrolls it.
"""

import pytest

from .conftest import ARTIFACTS, LAPTOP, PHONE
from .sitemap import ROLES, build_site, pages, start, visit

pytestmark = pytest.mark.browser

# What sticks out past the viewport's edges, outside any container that fits and clips it;
# and every scroll container wider inside than out that a keyboard could not reach.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const fits = (box) => box.left >= -1 && box.right <= width + 1;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].slice(0, 3).map((c) => "." + c).join("");
  const clips = (el) => getComputedStyle(el).overflowX !== "visible";
  const out = [], unreachable = [], tables = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    if (el.tagName === "TABLE") {
      const holder = el.parentElement.closest(".table-responsive") || el.parentElement;
      if (!fits(holder.getBoundingClientRect())) tables.push(name(el) + " in " + name(holder));
    }
    if (clips(el) && el.scrollWidth > el.clientWidth + 1 && el !== document.body &&
        style.overflowX !== "hidden" && style.overflowX !== "clip") {
      const labelled = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
      if (el.tabIndex < 0 || !labelled) unreachable.push(name(el));
    }
    if (fits(box)) continue;
    let held = false;
    // What is absolutely placed is clipped only by its containing block and what holds it;
    // what is fixed, by nothing but the screen.
    const first = style.position === "fixed" ? null
      : style.position === "absolute" ? el.offsetParent : el.parentElement;
    for (let up = first; up && up !== document.body; up = up.parentElement) {
      if (clips(up) && fits(up.getBoundingClientRect())) { held = true; break; }
    }
    if (!held) out.push(`${name(el)} (${Math.round(box.left)}–${Math.round(box.right)} px)`);
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    out: out.slice(0, 8),
    unreachable,
    tables,
  };
}"""


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone(open_page, transactional_db, settings, role):
    site = build_site(settings)
    page = start(open_page, role, PHONE)
    problems, widths = [], {}
    for entry in pages(site, role, PHONE["width"]):
        tab = visit(page, entry, site)
        found = tab.evaluate(OVERFLOW)
        widths[entry.name] = found["scrollWidth"]
        if found["scrollWidth"] > found["innerWidth"]:
            problems.append(f"{entry.name}: the page is {found['scrollWidth']} px wide")
        if found["out"]:
            problems.append(f"{entry.name}: past the edge: {', '.join(found['out'])}")
        if found["tables"]:
            problems.append(f"{entry.name}: tables wider than the screen: {found['tables']}")
        if found["unreachable"]:
            problems.append(
                f"{entry.name}: scrolls sideways without focus and a label: {found['unreachable']}"
            )
    print(f"\nwidths at 390 px, {role}: {widths}")
    assert not problems, "\n".join(problems)


SCREENS = {
    "dashboard": "/dashboard/",
    "gradebook": "/s/{s}/grades/",
    "audit": "/s/{s}/moderation/audit/",
    "api-docs": "/api/docs",
}


def test_screenshots_at_both_sizes(open_page, transactional_db, settings):
    """Full-page captures (test-artifacts/) of the widest pages, to look at."""
    site = build_site(settings)
    for viewport, size in ((LAPTOP, "laptop"), (PHONE, "phone")):
        page = start(open_page, "instructor", viewport)
        for name, path in SCREENS.items():
            page.goto(path.format(s=site.seminar.slug))
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name}: {width} px at {viewport['width']}"
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"site-{name}-{size}.png"), full_page=True)
