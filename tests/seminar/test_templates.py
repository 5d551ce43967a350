"""Template hygiene a browser would not forgive."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_single_line_comments_do_not_span_lines():
    # Django's {# #} ends at the line's end: a two-line one prints its text into the page.
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if "{#" in line:
                assert "#}" in line[line.index("{#") :], f"{path.name}:{number}"


def test_no_inline_scripts_or_styles():
    # The Content-Security-Policy allows only our own files. Emails (templates/email/) are no
    # page the policy covers, and mail programs honour inline styles only.
    for path in TEMPLATES.rglob("*.html"):
        if path.parent.name == "email":
            assert "<script" not in path.read_text(), path.name
            continue
        text = path.read_text()
        assert "<script>" not in text and " onclick=" not in text, path.name
        assert "<style" not in text and ' style="' not in text, path.name
