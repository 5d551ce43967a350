"""Markdown that people write in comments and critiques, rendered to safe HTML.

Markdown is rendered first, then nh3 keeps only harmless tags and attributes: user HTML is
never trusted, and links open with rel="noopener noreferrer nofollow".
"""

import markdown
import nh3

MAX_TEXT_CHARS = 10_000

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "del",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text):
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
