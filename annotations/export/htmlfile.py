"""A reading and its discussion as one self-contained HTML file, readable offline for years.

Laid out like the blog post (date line, title, byline, body, works cited, then the numbered
discussion), with the annotated passages highlighted and every thread in full. All CSS is in
the file; there is no script, and a Content-Security-Policy <meta> forbids the file to load
anything at all, so opening it makes no request. It prints (`@media print`).

Highlights are `<mark>` elements put into the body at the stored offsets. The body HTML is the
sanitized HTML whose text content is the revision's text, code point for code point (the
anchoring contract), so walking its text nodes in order counts the same offsets the
selectors count. Overlapping passages split into segments that carry every annotation on
them. Should the walk ever disagree with the text, the body is laid out from the plain text
instead, so a highlight is never put on the wrong words.
"""

import bisect
import html
import re
import secrets
from html.parser import HTMLParser

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from ..gradebook import policy_for
from .threads import Outline, kind_label, when

TEMPLATE = "annotations/archive/reading.html"
# Kept out of the template: the app's own pages never carry inline styles (tests/seminar/
# test_templates.py), and this file is the one page that must, since it may load nothing.
STYLESHEET = "annotations/archive/archive.css"


class Segments:
    """The text cut at every highlight boundary, with what each piece is under.

    One sweep over the boundaries: each highlight is added where it starts and dropped where
    it ends. A piece keeps only a summary (how many, which kind, a few numbers), so thousands
    of overlapping passages cost no more than their boundaries."""

    def __init__(self, highlights):
        # highlights: [(start, end, number, kind, annotation id)]
        self.starts, self.ends = {}, {}
        for h in sorted(highlights, key=lambda h: h[2]):
            self.starts.setdefault(h[0], []).append(h)
            self.ends.setdefault(h[1], []).append(h)
        self.cuts = sorted(self.starts.keys() | self.ends.keys())
        self.over = []
        active = {}
        for cut in self.cuts[:-1]:
            for h in self.ends.get(cut, ()):
                del active[h[4]]
            for h in self.starts.get(cut, ()):
                active[h[4]] = h
            self.over.append(_summary(active.values()) if active else None)

    def pieces(self, start, text):
        """[(piece, summary of the highlights over it or None, those starting with it, those
        ending with it)] for `text`, which starts at code point `start` of the text."""
        out, at, end = [], start, start + len(text)
        while at < end:
            i = bisect.bisect_right(self.cuts, at) - 1
            if not self.cuts:
                over, stop = None, end
            elif i < 0:
                over, stop = None, self.cuts[0]
            elif i >= len(self.over):
                over, stop = None, end
            else:
                over, stop = self.over[i], self.cuts[i + 1]
            stop = min(stop, end)
            # A highlight over this piece starts with it if it starts here, ends with it if it
            # ends where the piece does.
            starting = [h for h in self.starts.get(at, ()) if h[1] >= stop] if over else []
            ending = [h for h in self.ends.get(stop, ()) if h[0] <= at] if over else []
            out.append((text[at - start : stop - start], over, starting, ending))
            at = stop
        return out


def _summary(active):
    """(CSS classes, title) of a piece under these highlights."""
    kinds = {h[3] for h in active}
    classes = "hl " + (f"hl-{next(iter(kinds))}" if len(kinds) == 1 else "hl-mixed")
    if len(active) > 1:
        classes += " hl-overlap"
    numbers = sorted(h[2] for h in active)
    if len(numbers) == 1:
        return classes, f"Annotation {numbers[0]}"
    shown = ", ".join(map(str, numbers[:5]))
    more = f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
    return classes, f"Annotations {shown}{more}"


def _marked(piece, over, starting, ending, *, in_link):
    out = html.escape(piece, quote=False)
    # A block separator stays bare: a <mark> around it would draw a line between paragraphs.
    if over and (piece.strip() or "\n" not in piece):
        classes, title = over
        out = f'<mark class="{classes}" title="{title}">{out}</mark>'
    # Where each passage starts: the discussion links back here.
    out = "".join(f'<span id="passage-{h[4]}"></span>' for h in starting) + out
    for h in ending:
        if in_link:  # a link cannot hold a link
            out += f'<sup class="ref">[{h[2]}]</sup>'
        else:
            out += f'<sup class="ref"><a href="#annotation-{h[4]}">[{h[2]}]</a></sup>'
    return out


class _Marker(HTMLParser):
    def __init__(self, segments):
        super().__init__(convert_charrefs=True)
        self.segments = segments
        self.out, self.at, self.text, self.links = [], 0, [], 0

    def handle_starttag(self, tag, attrs):
        self.links += tag == "a"
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self.links -= tag == "a" and self.links > 0
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.text.append(data)
        for piece in self.segments.pieces(self.at, data):
            self.out.append(_marked(*piece, in_link=self.links > 0))
        self.at += len(data)


def mark_body(body_html, text, highlights):
    """The body HTML with <mark>s at the highlights' offsets, as a list of strings, or None if
    its text nodes do not add up to `text` (then the caller lays the body out from the
    text)."""
    marker = _Marker(Segments(highlights))
    marker.feed(body_html)
    marker.close()
    if "".join(marker.text) != text:
        return None
    return marker.out


def mark_text(text, highlights):
    """The plain text as paragraphs, highlighted (in a list): the fallback for `mark_body`."""
    segments = Segments(highlights)
    paragraphs, at = [], 0
    for line in text.split("\n"):
        pieces = segments.pieces(at, line)
        inner = "".join(_marked(*piece, in_link=False) for piece in pieces)
        paragraphs.append(f"<p>{inner}</p>")
        at += len(line) + 1
    return ["\n".join(paragraphs)]


VISIBILITY_BADGES = {"private": "private note", "instructors": "instructors and TAs only"}


def post_html(post, people, *, linked, score_max):
    """One post and its replies as an <li>. Written here rather than in a template: Django's
    engine costs a third of a millisecond a post, minutes for a large seminar."""
    row, esc = post.row, html.escape
    pk, kind, status = row["id"], row["kind"], row["status"]
    out = [f'<li class="entry entry-{esc(kind)} status-{esc(status)}" id="annotation-{pk}">']
    if post.number:
        out.append(f'<span class="entry-number" aria-hidden="true">{post.number}</span>')
    out.append('<div class="entry-main"><p class="entry-meta">')
    if kind not in ("comment", "reply"):
        out.append(f'<span class="kind">{esc(kind_label(kind))}</span> ')
    author, role = people.credit(row), people.author_role(row)
    if author:
        out.append(f'<span class="author">{esc(author)}</span> ')
        if role and role != "student":
            out.append(f'<span class="role">{esc(role)}</span> ')
    created = timezone.localtime(row["created"])
    out.append(f'<time datetime="{created.isoformat()}">{when(created)}</time>')
    if row["edited"]:
        out.append(' <span class="edited">edited</span>')
    for flag in ("pinned", "locked"):
        if row[flag]:
            out.append(f' <span class="badge">{flag}</span>')
    if status != "published":
        out.append(f' <span class="badge badge-status">{esc(status)}</span>')
    if row["visibility"] in VISIBILITY_BADGES:
        out.append(f' <span class="badge">{VISIBILITY_BADGES[row["visibility"]]}</span>')
    out.append("</p>")
    quote, original = row["quote_exact"], row["original_quote"]
    if quote:
        text = f"“{esc(quote)}”"
        out.append('<blockquote class="quote">')
        out.append(f'<a href="#passage-{pk}">{text}</a>' if linked else text)
        if original and original != quote:
            out.append(f'<span class="was">Written on: “{esc(original)}”</span>')
        out.append("</blockquote>")
    if status == "deleted" and not row["html"]:
        out.append('<p class="tombstone">This post was deleted</p>')
    else:
        out.append(f'<div class="entry-text">{row["html"]}</div>')  # sanitized when saved
    if row["moderation_reason"]:
        reason = esc(row["moderation_reason"])
        out.append(f'<p class="moderation">Hidden by a moderator: {reason}</p>')
    foot = [f'<span class="tag">#{esc(tag)}</span>' for tag in row["tags"]]
    if row["marks"]:
        foot.append(f"<span>{row['marks']} found this helpful</span>")
    if row["score__value"] is not None:
        comment = f": {esc(row['score__comment'])}" if row["score__comment"] else ""
        foot.append(f'<span class="score">Score {row["score__value"]}/{score_max}{comment}</span>')
    if foot:
        out.append(f'<p class="entry-foot">{"".join(foot)}</p>')
    if post.replies:
        out.append('<ol class="replies">')
        for reply in post.replies:
            out.append(post_html(reply, people, linked=False, score_max=score_max))
        out.append("</ol>")
    out.append("</div></li>\n")
    return "".join(out)


SECTIONS = ("passages", "orphans", "comments", "loose")


def stream(scope, *, exported=None):
    """The archive page of `scope.reading`, as UTF-8 chunks: the page around the threads is
    rendered first with a marker where each list of threads goes, then the threads follow a
    batch at a time (threads.Outline), so a reading of any size streams."""
    reading = scope.reading
    revision = reading.current_revision
    outline = Outline(scope, current_number=revision.number if revision else None)
    body = []
    if revision is not None:
        body = mark_body(revision.html, revision.text, outline.highlights)
        if body is None:
            body = mark_text(revision.text, outline.highlights)
    people = scope.people
    score_max = policy_for(scope.seminar).score_max
    css = render_to_string(STYLESHEET)
    token = secrets.token_hex(8)  # markers no text can fake: where the body and threads go
    context = {
        "stylesheet": mark_safe(f"<style>\n{css}</style>"),  # noqa: S308 - our own file
        "seminar": scope.seminar,
        "reading": reading,
        "revision": revision,
        "body": mark_safe(f"<!--{token}:body-->"),  # noqa: S308 - filled in below
        "counts": {name: len(getattr(outline, name)) for name in SECTIONS},
        "threads": {name: mark_safe(f"<!--{token}:{name}-->") for name in SECTIONS},  # noqa: S308
        "count": outline.count,
        "options": scope.options,
        "owner": scope.owner,
        "exported": exported or timezone.now(),
    }
    page = re.split(f"<!--{token}:(\\w+)-->", render_to_string(TEMPLATE, context))
    yield page[0].encode()
    for name, after in zip(page[1::2], page[2::2], strict=True):
        if name == "body":  # sanitized reading HTML with our marks, in pieces: no copies
            for start in range(0, len(body), 1000):
                yield "".join(body[start : start + 1000]).encode()
            yield after.encode()
            continue
        batch = []
        for post in outline.threads(getattr(outline, name)):
            linked = name == "passages"
            batch.append(post_html(post, people, linked=linked, score_max=score_max))
            if len(batch) >= 50:
                yield "".join(batch).encode()
                batch = []
        yield ("".join(batch) + after).encode()


def render(scope, *, exported=None):
    """The whole page as one string (for tests and small readings)."""
    return b"".join(stream(scope, exported=exported)).decode()
