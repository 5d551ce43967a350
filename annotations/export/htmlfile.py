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

import heapq
import html
import re
import secrets
from html.parser import HTMLParser

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from annotations.export.threads import SECTIONS, Outline, kind_label, when
from annotations.grading.gradebook import policy_for

TEMPLATE = "annotations/archive/reading.html"
# Kept out of the template: the app's own pages never carry inline styles (tests/seminar/
# test_templates.py), and this file is the one page that must, since it may load nothing.
STYLESHEET = "annotations/archive/archive.css"


class Segments:
    """The text cut at every highlight boundary, with what each piece is under.

    One sweep over the text: highlights come sorted by start (then number), each is added
    where it starts and dropped where it ends, so only those over the current place are
    held. A piece keeps only a summary (how many, which kind, a few numbers), so thousands
    of overlapping passages cost no more than their boundaries."""

    def __init__(self, highlights):
        # highlights: (start, end, number, kind, annotation id), by start, then number
        self.upcoming = iter(highlights)
        self.next = next(self.upcoming, None)
        self.active = {}  # annotation id -> highlight, over the current place
        self.by_end = {}  # end -> the active highlights ending there, by number
        self.ends = []  # a heap of the keys of by_end
        self.cut, self.started, self.over = None, [], None

    def _next_cut(self):
        start = self.next[0] if self.next is not None else None
        end = self.ends[0] if self.ends else None
        if start is None or end is None:
            return end if start is None else start
        return min(start, end)

    def _advance(self, position):
        """Move past every cut up to `position`: drop what ends there, add what starts."""
        while (cut := self._next_cut()) is not None and cut <= position:
            for h in self.by_end.pop(cut, ()):
                del self.active[h[4]]
            while self.ends and self.ends[0] == cut:
                heapq.heappop(self.ends)
            self.started = []
            while self.next is not None and self.next[0] == cut:
                h = self.next
                if h[1] > h[0]:  # an empty passage has nothing to mark
                    self.active[h[4]] = h
                    if h[1] not in self.by_end:
                        heapq.heappush(self.ends, h[1])
                    self.by_end.setdefault(h[1], []).append(h)
                    self.started.append(h)
                self.next = next(self.upcoming, None)
            self.cut = cut
            self.over = _summary(self.active.values()) if self.active else None

    def pieces(self, start, text):
        """[(piece, summary of the highlights over it or None, those starting with it, those
        ending with it)] for `text`, which starts at code point `start` of the text, one at a
        time. Calls come in the order of the text."""
        at, end = start, start + len(text)
        while at < end:
            self._advance(at)
            cut = self._next_cut()
            stop = end if cut is None else min(cut, end)
            over = self.over
            # A highlight over this piece starts with it if it starts here, ends with it if it
            # ends where the piece does.
            starting = [h for h in self.started if h[1] >= stop] if over and self.cut == at else []
            ending = [h for h in self.by_end.get(stop, ()) if h[0] <= at] if over else []
            yield text[at - start : stop - start], over, starting, ending
            at = stop


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


class _Tokens(HTMLParser):
    """The body's markup as it comes: tags as written, and text with its character
    references resolved (what the offsets count), with whether it is inside a link."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens = []  # (markup, None) or (text, inside a link)
        self.links = 0

    def handle_starttag(self, tag, attrs):
        self.links += tag == "a"
        self.tokens.append((self.get_starttag_text(), None))

    def handle_startendtag(self, tag, attrs):
        self.tokens.append((self.get_starttag_text(), None))

    def handle_endtag(self, tag):
        self.links -= tag == "a" and self.links > 0
        self.tokens.append((f"</{tag}>", None))

    def handle_data(self, data):
        self.tokens.append((data, self.links > 0))

    def fed(self, body_html, size=64 * 1024):
        """The tokens of `body_html`, fed to the parser a piece at a time, each cut just
        before a "<": a run of text is then never split, so the parser sees exactly what one
        feed would show it."""
        at = 0
        while at < len(body_html):
            cut = body_html.find("<", at + size)
            cut = len(body_html) if cut < 0 else cut
            self.feed(body_html[at:cut])
            at = cut
            yield from self._drain()
        self.close()
        yield from self._drain()

    def _drain(self):
        tokens, self.tokens = self.tokens, []
        return tokens


def mark_body(body_html, text, highlights):
    """The body HTML with <mark>s at the highlights' offsets (sorted by start), as string
    pieces, or None if its text nodes do not add up to `text` (then the caller lays the body
    out from the text). The check is a pass of its own, so that nothing is held to undo."""
    check = _Tokens()
    check.feed(body_html)
    check.close()
    if "".join(token for token, in_link in check.tokens if in_link is not None) != text:
        return None
    return _marked_body(body_html, highlights)


def _marked_body(body_html, highlights):
    segments, at = Segments(highlights), 0
    for token, in_link in _Tokens().fed(body_html):
        if in_link is None:
            yield token
            continue
        for piece in segments.pieces(at, token):
            yield _marked(*piece, in_link=in_link)
        at += len(token)


def mark_text(text, highlights):
    """The plain text as paragraphs, highlighted, as string pieces: the fallback for
    `mark_body`."""
    segments = Segments(highlights)
    at = 0
    for index, line in enumerate(text.split("\n")):
        yield "<p>" if index == 0 else "\n<p>"
        for piece in segments.pieces(at, line):
            yield _marked(*piece, in_link=False)
        yield "</p>"
        at += len(line) + 1


VISIBILITY_BADGES = {"private": "private note", "instructors": "instructors and TAs only"}


def post_html(post, people, *, linked, score_max, tz=None):
    """One post and its replies as an <li>. Written here rather than in a template: Django's
    engine costs a third of a millisecond a post, minutes for a large seminar."""
    row, esc = post.row, html.escape
    pk, kind, status = row["id"], row["kind"], row["status"]
    out = [f'<li class="entry entry-{esc(kind)} status-{esc(status)}" id="annotation-{pk}">']
    if post.number:
        out.append(f'<span class="entry-number" aria-hidden="true">{post.number}</span>')
    out.append('<div class="entry-main">')
    out.append(_meta_html(row, people, tz or timezone.get_current_timezone()))
    out.append(_quote_html(row, linked=linked))
    out.append(_body_html(row))
    out.append(_foot_html(row, score_max=score_max))
    if post.replies:
        out.append('<ol class="replies">')
        for reply in post.replies:
            out.append(post_html(reply, people, linked=False, score_max=score_max, tz=tz))
        out.append("</ol>")
    out.append("</div></li>\n")
    return "".join(out)


def _meta_html(row, people, tz):
    """Kind, author, time and badges: the line above a post."""
    esc, kind, status = html.escape, row["kind"], row["status"]
    out = ['<p class="entry-meta">']
    if kind not in ("comment", "reply"):
        out.append(f'<span class="kind">{esc(kind_label(kind))}</span> ')
    author, role = people.credit(row), people.author_role(row)
    if author:
        out.append(f'<span class="author">{esc(author)}</span> ')
        if role and role != "student":
            out.append(f'<span class="role">{esc(role)}</span> ')
    created = row["created"].astimezone(tz)
    out.append(f'<time datetime="{created.isoformat()}">{when(created, tz)}</time>')
    if row["edited"]:
        out.append(' <span class="edited">edited</span>')
    out += [f' <span class="badge">{flag}</span>' for flag in ("pinned", "locked") if row[flag]]
    if status != "published":
        out.append(f' <span class="badge badge-status">{esc(status)}</span>')
    if row["visibility"] in VISIBILITY_BADGES:
        out.append(f' <span class="badge">{VISIBILITY_BADGES[row["visibility"]]}</span>')
    out.append("</p>")
    return "".join(out)


def _quote_html(row, *, linked):
    quote, original = row["quote_exact"], row["original_quote"]
    if not quote:
        return ""
    text = f"“{html.escape(quote)}”"
    out = [
        '<blockquote class="quote">',
        f'<a href="#passage-{row["id"]}">{text}</a>' if linked else text,
    ]
    if original and original != quote:
        out.append(f'<span class="was">Written on: “{html.escape(original)}”</span>')
    out.append("</blockquote>")
    return "".join(out)


def _body_html(row):
    if row["status"] == "deleted" and not row["html"]:
        out = '<p class="tombstone">This post was deleted</p>'
    else:
        out = f'<div class="entry-text">{row["html"]}</div>'  # sanitized when saved
    if row["moderation_reason"]:
        reason = html.escape(row["moderation_reason"])
        out += f'<p class="moderation">Hidden by a moderator: {reason}</p>'
    return out


def _foot_html(row, *, score_max):
    esc = html.escape
    foot = [f'<span class="tag">#{esc(tag)}</span>' for tag in row["tags"]]
    if row["marks"]:
        foot.append(f"<span>{row['marks']} found this helpful</span>")
    if row["score__value"] is not None:
        comment = f": {esc(row['score__comment'])}" if row["score__comment"] else ""
        foot.append(f'<span class="score">Score {row["score__value"]}/{score_max}{comment}</span>')
    return f'<p class="entry-foot">{"".join(foot)}</p>' if foot else ""


def stream(scope, *, exported=None, layout=None):
    """The archive page of `scope.reading`, as UTF-8 chunks: the page around the threads is
    rendered first with a marker where the body and each list of threads go, then the body
    and the threads follow a batch at a time, so a reading of any size streams. The threads
    come from a `threads.Layout` the archive filled in its one pass (rendered by `renderer`),
    or else from an `Outline`, read here."""
    reading = scope.reading
    revision = reading.current_revision
    if layout is None:
        outline = Outline(scope, current_number=revision.number if revision else None)
        render = renderer(scope)

        def threads(name):
            for post in outline.threads(name):
                yield render(post, name)

    else:
        outline = layout

        def threads(name):
            for number, text in layout.fragments("html", name):
                if number:
                    head = text.index(">") + 1
                    number_html = f'<span class="entry-number" aria-hidden="true">{number}</span>'
                    text = text[:head] + number_html + text[head:]
                yield text

    css = render_to_string(STYLESHEET)
    token = secrets.token_hex(8)  # markers no text can fake: where the body and threads go
    context = {
        "stylesheet": mark_safe(f"<style>\n{css}</style>"),  # noqa: S308 - our own file
        "seminar": scope.seminar,
        "reading": reading,
        "revision": revision,
        "body": mark_safe(f"<!--{token}:body-->"),  # noqa: S308 - filled in below
        "counts": outline.counts,
        "threads": {name: mark_safe(f"<!--{token}:{name}-->") for name in SECTIONS},  # noqa: S308
        "count": outline.count,
        "options": scope.options,
        "owner": scope.owner,
        "exported": exported or timezone.now(),
    }
    page = re.split(f"<!--{token}:(\\w+)-->", render_to_string(TEMPLATE, context))
    yield page[0].encode()
    for name, after in zip(page[1::2], page[2::2], strict=True):
        if name == "body":
            yield from _body(revision, outline)
            yield after.encode()
            continue
        batch = []
        for text in threads(name):
            batch.append(text)
            if len(batch) >= 50:
                yield "".join(batch).encode()
                batch = []
        yield ("".join(batch) + after).encode()


def renderer(scope):
    """How the archive's `Layout` renders a thread for reading.html (no number: `stream`
    puts it in once the threads are in order)."""
    people, score_max = scope.people, policy_for(scope.seminar).score_max
    tz = timezone.get_current_timezone()

    def render(post, section):
        linked = section == "passages"
        return post_html(post, people, linked=linked, score_max=score_max, tz=tz)

    return render


def _body(revision, outline, size=64 * 1024):
    """The reading's body, highlighted (sanitized HTML with our marks), in UTF-8 chunks of
    about `size`: a passage adds a few pieces, a popular paragraph many thousands."""
    if revision is None:
        return
    body = mark_body(revision.html, revision.text, outline.highlights())
    if body is None:
        body = mark_text(revision.text, outline.highlights())
    pending, length = [], 0
    for piece in body:
        pending.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(pending).encode()
            pending, length = [], 0
    yield "".join(pending).encode()


def render(scope, *, exported=None):
    """The whole page as one string (for tests and small readings)."""
    return b"".join(stream(scope, exported=exported)).decode()
