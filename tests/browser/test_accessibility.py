"""axe-core on every page of the site, as every role that may see it, at both viewports.

axe comes from the `axe-playwright-python` package (its bundled axe.min.js): nothing is
fetched. The site's CSP forbids inline scripts, so axe is not added as a script tag; it is
evaluated through the DevTools protocol, which the page's policy does not govern.

One browser context per role and viewport; the pages (tests/browser/sitemap.py) load in turn
in it. Any violation of impact serious or critical fails, listed with its rule, the elements
and axe's summary; moderate and minor ones are printed too. Each run's findings are saved to
test-artifacts/axe/ for comparison.
"""

import json
from collections import Counter

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from .conftest import ARTIFACTS, LAPTOP, PHONE
from .sitemap import ROLES, build_site, pages, start, visit

pytestmark = pytest.mark.browser

OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
FAILING = {"serious", "critical"}

RUN = """async (options) => {
  const results = await axe.run(document, options);
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "),
      summary: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 240),
    })),
  }));
}"""


def axe(page):
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate(RUN, OPTIONS)


def report(findings):
    lines = []
    for name, path, violation in findings:
        nodes = violation["nodes"]
        lines.append(
            f"{name} ({path}): {violation['id']} [{violation['impact']}] {violation['help']}"
            f" — {len(nodes)} element(s)"
        )
        for node in nodes[:4]:
            lines.append(f"    {node['target']}: {node['summary']}")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe(open_page, transactional_db, settings, role, viewport):
    site = build_site(settings)
    page = start(open_page, role, viewport)
    findings = []
    for entry in pages(site, role, viewport["width"]):
        tab = visit(page, entry, site)
        for violation in axe(tab):
            findings.append((entry.name, entry.path, violation))

    tag = f"{role}-{viewport['width']}"
    out = ARTIFACTS / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{tag}.json").write_text(
        json.dumps([{"page": n, "path": p, **v} for n, p, v in findings], indent=1)
    )
    counts = Counter(f"{v['id']} [{v['impact']}]" for _n, _p, v in findings)
    print(f"\naxe, {tag}: {dict(counts) or 'no violations'}")
    if findings:
        print(report(findings))
    serious = [f for f in findings if f[2]["impact"] in FAILING]
    assert not serious, "\n" + report(serious)
