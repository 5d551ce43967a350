"""A reading and its discussion as Markdown, to read in any editor or convert with pandoc.

The reading comes first (its Markdown source when it was written in Markdown, else its text,
a paragraph per block), then the annotations on passages in text order, passages no longer
in the text, and the numbered page comments. Replies are nested blockquotes under what they
answer, so a post's own Markdown keeps its structure at any depth.
"""

import re

from django.utils import timezone
from django.utils.formats import date_format

from annotations.export.threads import Outline, kind_label, when
from annotations.grading.gradebook import policy_for
from annotations.models import Status

# A line that Markdown would read as a heading, quote, list item, rule or code fence.
BLOCK_START = re.compile(r"^(\s*)([#>*+=|~`-]|\d+[.)])")


def _escape_line(line):
    return BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line)


def _plain(text):
    return "\n\n".join(_escape_line(line) for line in text.split("\n") if line.strip())


def _quoted(text, depth):
    prefix = "> " * depth
    return "\n".join((prefix + line).rstrip() for line in text.split("\n"))


class Writer:
    def __init__(self, scope, score_max):
        self.people = scope.people
        self.score_max = score_max
        self.tz = timezone.get_current_timezone()

    def header(self, post, label):
        row = post.row
        parts = [label] if label else []
        author = self.people.credit(row)
        if author:
            role = self.people.author_role(row)
            parts.append(f"**{author}**" + (f" ({role})" if role not in ("student", "") else ""))
        parts.append(when(row["created"], self.tz))
        flags = [row["status"]] if row["status"] != Status.PUBLISHED else []
        flags += [name for name in ("pinned", "locked") if row[name]]
        if row["edited"]:
            flags.append("edited")
        if row["visibility"] != "seminar":
            flags.append(f"visible to: {row['visibility']}")
        return " · ".join(parts) + (f" *({', '.join(flags)})*" if flags else "")

    def body(self, post):
        row = post.row
        lines = []
        if row["quote_exact"]:
            lines.append(_quoted(f"“{row['quote_exact']}”", 1))
            if row["original_quote"] and row["original_quote"] != row["quote_exact"]:
                lines.append(f"*Written on: “{row['original_quote']}”*")
        if row["status"] == Status.DELETED and not row["text"]:
            lines.append("*This post was deleted.*")
        else:
            lines.append(row["text"])
        if row["moderation_reason"]:
            lines.append(f"*Hidden by a moderator: {row['moderation_reason']}*")
        foot = [f"#{tag}" for tag in row["tags"]]
        if row["marks"]:
            foot.append(f"{row['marks']} found this helpful")
        if row["score__value"] is not None:
            comment = f": {row['score__comment']}" if row["score__comment"] else ""
            foot.append(f"score {row['score__value']}/{self.score_max}{comment}")
        if foot:
            lines.append("*" + " · ".join(foot) + "*")
        return lines

    def replies(self, post, depth):
        out = []
        for reply in post.replies:
            block = [self.header(reply, ""), *self.body(reply)]
            out.append(_quoted("\n\n".join(block), depth))
            out.extend(self.replies(reply, depth + 1))
        return out

    def thread(self, post, heading):
        return [heading, *self.body(post), *self.replies(post, 1)]


def _head(scope, outline, exported):
    reading, options = scope.reading, scope.options
    revision = reading.current_revision
    out = [f"# {reading.title}"]
    meta = []
    if reading.date:
        meta.append(f"*{date_format(reading.date, 'l, F j, Y')}*")
    if reading.byline:
        meta.append(reading.byline)
    if meta:
        out.append(" · ".join(meta))
    note = (
        f"Archived from **{scope.seminar.title}** on "
        f"{date_format(timezone.localtime(exported or timezone.now()), 'F j, Y')}"
    )
    if revision:
        note += f" · text of revision {revision.number}"
    note += f" · {outline.count} post{'s' if outline.count != 1 else ''}"
    if scope.owner is not None:
        note += f" by {scope.owner.name}"
    elif options.include_hidden:
        note += " · includes hidden, waiting and deleted posts"
    if options.pseudonyms and scope.owner is None:
        note += " · students appear under their seminar pseudonyms"
    out += [_quoted(note + ".", 1), "---"]
    if revision is not None:
        out.append(revision.source if revision.format == "markdown" else _plain(revision.text))
    out.append("---")
    return out


SECTIONS = (
    ("passages", "## Annotations on passages"),
    ("orphans", "## Passages no longer in the text"),
    ("comments", None),  # always there, with its count
    ("loose", "## Replies to other posts"),
)
LABELS = {"comments": lambda post: "", "loose": lambda post: "Reply"}


def _prefix(name, number):
    if name == "passages":
        return f"### [{number}] "
    return f"### {number}. " if name == "comments" else "### "


def renderer(scope):
    """How the archive's `Layout` renders a thread for reading.md: all but the start of its
    heading (the number), which `stream` puts in once the threads are in order."""
    writer = Writer(scope, policy_for(scope.seminar).score_max)

    def render(post, section):
        heading = writer.header(post, LABELS.get(section, _kind)(post))
        return "\n\n".join(writer.thread(post, heading)) + "\n\n"

    return render


def stream(scope, *, exported=None, layout=None):
    """The document as UTF-8 chunks: the reading, then the threads a batch at a time (from
    the archive's `threads.Layout`, or else an `Outline` read here)."""
    revision = scope.reading.current_revision
    if layout is None:
        outline = Outline(scope, current_number=revision.number if revision else None)
        render = renderer(scope)

        def threads(name):
            for post in outline.threads(name):
                yield _prefix(name, post.number) + render(post, name)

    else:
        outline = layout

        def threads(name):
            for number, text in layout.fragments("md", name):
                yield _prefix(name, number) + text

    yield ("\n\n".join(_head(scope, outline, exported)) + "\n\n").encode()
    count = outline.counts["comments"]
    for name, title in SECTIONS:
        if title is None:
            title = f"## {count} comment{'s' if count != 1 else ''}"
        elif not outline.counts[name]:
            continue
        out, size = [title + "\n\n"], 0
        for text in threads(name):
            out.append(text)
            size += 1
            if size >= 100:
                yield "".join(out).encode()
                out, size = [], 0
        if out:
            yield "".join(out).encode()


def _kind(post):
    return kind_label(post.row["kind"])


def render(scope, *, exported=None):
    """The whole document as one string (for tests and small readings)."""
    return b"".join(stream(scope, exported=exported)).decode().rstrip("\n") + "\n"
