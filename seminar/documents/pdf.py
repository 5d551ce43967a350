"""PDF readings: the text layer, rebuilt into paragraphs, with the page boundaries kept.

A PDF holds no paragraphs, only text drawn at positions. pypdf reports each piece of text
with its position (a visitor on ``extract_text``); from those this module rebuilds:

* lines: pieces on one baseline, in the order the page draws them;
* running headers and footers: a line at the top or bottom of a page that repeats, digits
  aside, on at least two pages and at least two fifths of them ("Sahel Reader 2024 · 12"),
  and bare page numbers ("12", "- 12 -", "Page 12 of 40", "xii") there, are dropped;
* paragraphs: lines join until a wider gap than the usual line spacing, an indented line,
  a short line ending a sentence, a bullet, or a change to a larger type (a heading) ends
  one; a paragraph runs on across a page boundary unless one of those says otherwise;
* words hyphenated at a line end are joined ("peace-" + "keeping" = "peacekeeping"), and a
  line ending in a dash runs on without a space;
* headings: lines set clearly larger than the body text; the first, on the first page, is
  the title.

Each page boundary becomes ``<span class="page-mark" data-page="12"></span>`` where that
page's text begins, mid-paragraph if need be, so that a passage can be cited by page. The
marker is empty: the canonical text does not change (DESIGN.md, "Anchoring contract"); the
page number is drawn by the style sheet. ``data-page`` is the PDF's own page label where it
has them (a journal's "237"), else the page's number.

Refused, with what to do: a password-protected PDF, a damaged one, one of more than
``limits.MAX_PDF_PAGES`` pages (counted before any page is read), one that takes more than
``limits.PDF_SECONDS`` to read, and one with no text layer (a scan: it needs OCR).
"""

from __future__ import annotations

import io
import math
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from html import escape

from pypdf import PdfReader, apply_configuration
from pypdf.errors import DependencyError

from seminar.documents import limits
from seminar.textblocks import collapse_spaces
from seminar.textformats import TextFormatError

__all__ = ["PdfText", "read_pdf"]

KIND = "PDF"
_PAGE_NUMBER = re.compile(
    r"(?i:page\s+)?[-–—(\[]?\s*(?:[0-9]{1,5}|[ivxlc]{1,7}|[IVXLC]{1,7})\s*[-–—)\]]?"
    r"(?:\s*(?i:of|/)\s*[0-9]{1,5})?"
)
_BULLET = re.compile(r"[•◦▪●○■–-]\s|[0-9]{1,3}[.)]\s")
_SENTENCE_END = re.compile(r"[.!?:;\"”’»)]$")
_HYPHENATED = re.compile(r"[^\W\d_]-$")
_DASH_END = ("—", "–")
_EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be running heads
_HEADING_SCALE = 1.2
_LABEL = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,15}")
_NO_TEXT = (
    "This PDF has no text layer: its pages are images (a scan or a photo), so there is no"
    " text to read or annotate. Export it with text recognition (OCR) first, for example"
    " Adobe Acrobat's “Scan & OCR”, or the free OCRmyPDF, and upload that copy."
)


@dataclass(frozen=True)
class PdfText:
    html: str
    title: str  # from the document's information, "" if none worth using
    author: str
    pages: int
    notes: tuple[str, ...]  # what the preview should say: headers removed, pages empty


@dataclass
class _Line:
    text: str
    x: float
    y: float
    size: float


@dataclass
class _Page:
    label: str
    lines: list[_Line] = field(default_factory=list)


def read_pdf(data: bytes, *, seconds: float = limits.PDF_SECONDS) -> PdfText:
    limits.check_document_size(data, kind=KIND)
    if b"%PDF-" not in data[:1024]:
        raise _damaged(" (it does not start as a PDF does)")
    with apply_configuration(
        zlib_maximum_output_length=limits.PDF_MAX_STREAM_BYTES,
        lzw_maximum_output_length=limits.PDF_MAX_STREAM_BYTES,
        run_length_maximum_output_length=limits.PDF_MAX_STREAM_BYTES,
        array_based_stream_maximum_output_length=limits.PDF_MAX_STREAM_BYTES,
        jbig2dec_binary=None,
    ):
        try:
            return _read(data, deadline=time.monotonic() + seconds)
        except TextFormatError:
            raise
        except Exception:  # noqa: BLE001 -- pypdf fails on a bad file in many ways
            raise _damaged("") from None


def _damaged(detail: str) -> TextFormatError:
    return TextFormatError(
        f"This PDF is damaged and cannot be read{detail}. Open it in a PDF reader and save"
        " or print it to a new PDF, then upload that copy."
    )


def _read(data: bytes, *, deadline: float) -> PdfText:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        _decrypt(reader)
    count = len(reader.pages)
    if count > limits.MAX_PDF_PAGES:
        raise limits.DocumentTooLarge(
            f"This PDF has {count:,} pages; Seminar reads PDFs of up to"
            f" {limits.MAX_PDF_PAGES:,} pages. Split it (a chapter or an article per reading)"
            " and upload the parts."
        )
    labels = _labels(reader, count)
    pages, characters = [], 0
    for index, page in enumerate(reader.pages):
        if time.monotonic() > deadline:
            raise TextFormatError(
                f"Reading this PDF took longer than {limits.PDF_SECONDS:.0f} seconds (it stopped"
                f" at page {index + 1} of {count}). Split it into shorter parts, or save it"
                " again with “Reduce file size”, and upload those."
            )
        lines = _page_lines(page)
        characters += sum(len(line.text) for line in lines)
        if characters > limits.MAX_TEXT_BYTES:
            limits.check_text_length("x" * characters, kind=KIND)
        pages.append(_Page(labels[index], lines))
    if not any(line.text.strip() for page in pages for line in page.lines):
        raise TextFormatError(_NO_TEXT)
    info = _information(reader)
    html, notes = _Builder(pages).build()
    return PdfText(html=html, title=info[0], author=info[1], pages=count, notes=notes)


def _decrypt(reader: PdfReader) -> None:
    """Open a PDF that is encrypted only against changes (an empty password); else refuse."""
    try:
        opened = reader.decrypt("")
    except DependencyError:
        opened = 0
    if not opened:
        raise TextFormatError(
            "This PDF is password-protected: Seminar cannot read its text without the"
            " password. Open it with the password and save or print it to a new PDF without"
            " one, then upload that copy."
        )


def _labels(reader: PdfReader, count: int) -> list[str]:
    try:
        labels = [str(label) for label in reader.page_labels]
    except Exception:  # noqa: BLE001 -- a broken label tree: number the pages instead
        labels = []
    if len(labels) != count or not all(_LABEL.fullmatch(label) for label in labels):
        return [str(number) for number in range(1, count + 1)]
    return labels


def _information(reader: PdfReader) -> tuple[str, str]:
    try:
        metadata = reader.metadata or {}
        title = collapse_spaces(str(metadata.get("/Title") or ""))
        author = collapse_spaces(str(metadata.get("/Author") or ""))
    except Exception:  # noqa: BLE001 -- the information dictionary is optional
        return "", ""
    # Word processors often fill the title in with the file's name.
    if re.search(r"\.(?:docx?|pdf|odt|indd|tex|rtf)$|^Microsoft Word", title, re.IGNORECASE):
        title = ""
    return title[:300], author[:300]


def _page_lines(page) -> list[_Line]:
    lines: list[_Line] = []

    def visit(text, cm, tm, font, size):
        if not text:
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
        height = abs(size * scale) or abs(size) or 1.0
        for number, piece in enumerate(text.split("\n")):
            if number:
                y -= 1.2 * height  # more lines in one piece: below one another
            if not piece.strip():
                continue
            last = lines[-1] if lines else None
            if last is not None and abs(last.y - y) < 0.5 * max(height, last.size):
                last.text += piece  # the same baseline: the same line
                last.x = min(last.x, x)
                last.size = max(last.size, height)
            else:
                lines.append(_Line(piece, x, y, height))

    page.extract_text(visitor_text=visit)
    return [
        _Line(collapse_spaces(line.text), line.x, line.y, line.size)
        for line in lines
        if line.text.strip()
    ]


class _Builder:
    """Pages of lines -> the body HTML, and notes on what was removed."""

    def __init__(self, pages: list[_Page]):
        self.pages = pages
        self.notes: list[str] = []
        self.blocks: list[tuple[str, list]] = []  # (tag, parts: str | ("mark", label))
        self._heading_size = 0.0
        self._pending = None  # the first page's marker, held back from the title

    def build(self) -> tuple[str, tuple[str, ...]]:
        self._drop_running_lines()
        body = [line for page in self.pages for line in page.lines]
        if not body:
            raise TextFormatError(_NO_TEXT)
        self.size = _weighted_mode([(round(line.size, 1), len(line.text)) for line in body])
        self.spacing = _line_spacing(self.pages, self.size)
        lengths = sorted(len(line.text) for line in body)
        self.full = lengths[int(len(lengths) * 0.8)] if lengths else 0
        self.hyphens = 0
        previous: _Line | None = None
        empty = []
        for page in self.pages:
            if not page.lines:
                empty.append(page.label)
                continue
            margin = _margin(page.lines)
            mark = ("mark", page.label)
            for index, line in enumerate(page.lines):
                heading = line.size >= self.size * _HEADING_SCALE
                if heading:
                    self._heading(line, mark if index == 0 else None)
                elif previous is not None and self._continues(
                    previous, line, margin=margin, page_start=index == 0
                ):
                    self._join(line, mark if index == 0 else None)
                else:
                    self._open("p", line.text, mark if index == 0 else None)
                previous = line
        if self.hyphens:
            self.notes.append(f"{_count(self.hyphens, 'word')} hyphenated at line ends joined.")
        if empty:
            self.notes.append(
                f"{_count(len(empty), 'page')} without text (images only?): {', '.join(empty[:12])}"
                f"{'…' if len(empty) > 12 else ''}."
            )
        return self._html(), tuple(self.notes)

    def _drop_running_lines(self) -> None:
        pages = [page for page in self.pages if page.lines]
        seen: Counter[str] = Counter()
        for page in pages:
            seen.update({_signature(line.text) for line in _edges(page.lines)})
        needed = max(2, math.ceil(len(pages) * 0.4))
        running = {text for text, times in seen.items() if times >= needed}
        heads = numbers = 0
        for page in pages:
            edges = {id(line) for line in _edges(page.lines)}
            kept = []
            for line in page.lines:
                if id(line) in edges and _PAGE_NUMBER.fullmatch(line.text):
                    numbers += 1
                elif id(line) in edges and _signature(line.text) in running:
                    heads += 1
                else:
                    kept.append(line)
            page.lines = kept
        if heads:
            self.notes.append(f"{_count(heads, 'running header or footer line')} removed.")
        if numbers:
            self.notes.append(f"{_count(numbers, 'page number')} removed.")

    def _continues(self, previous: _Line, line: _Line, *, margin: float, page_start: bool) -> bool:
        """Whether `line` goes on with the paragraph `previous` ended."""
        if self.blocks and self.blocks[-1][0] != "p":
            return False
        if _BULLET.match(line.text):
            return False
        if line.x > margin + 0.8 * self.size:
            return False  # an indented first line
        short = len(previous.text) < 0.75 * self.full
        if short and _SENTENCE_END.search(previous.text):
            return False
        if not page_start:
            gap = previous.y - line.y
            if gap > 1.45 * self.spacing or gap < -self.spacing:
                return False  # a blank line between, or a jump up (a new column)
        return True

    def _heading(self, line: _Line, mark) -> None:
        last = self.blocks[-1] if self.blocks else None
        if last and last[0] != "p" and not mark and abs(self._heading_size - line.size) < 0.5:
            last[1].append(" " + line.text)  # a heading set over two lines
            return
        self._heading_size = line.size
        if not self.blocks:
            # The title, first on the first page: the page's marker goes to the next block.
            self.blocks.append(("h1", [line.text]))
            self._pending = mark
            return
        self._open("h2", line.text, mark)

    def _open(self, tag: str, text: str, mark) -> None:
        mark = mark or self._pending
        self._pending = None
        self.blocks.append((tag, [mark, text] if mark else [text]))

    def _join(self, line: _Line, mark) -> None:
        parts = self.blocks[-1][1]
        last = parts[-1] if parts and isinstance(parts[-1], str) else ""
        if _HYPHENATED.search(last) and line.text[:1].islower():
            parts[-1] = last[:-1]
            self.hyphens += 1
            joint = ""
        elif last.endswith("\u00ad"):
            parts[-1] = last[:-1]
            joint = ""
        elif last.endswith(_DASH_END):
            joint = ""
        else:
            joint = " "
        if mark and not joint:
            # A word split across the page boundary: the marker after the word, not in it.
            word, space, rest = line.text.partition(" ")
            parts.extend([word, mark, space + rest])
        elif mark:
            parts.extend([joint, mark, line.text])
        else:
            parts.append(joint + line.text)

    def _html(self) -> str:
        out = []
        for tag, parts in self.blocks:
            inner = "".join(
                f'<span class="page-mark" data-page="{escape(part[1])}"></span>'
                if isinstance(part, tuple)
                else escape(part, quote=False)
                for part in parts
            )
            out.append(f"<{tag}>{inner}</{tag}>")
        return "\n".join(out)


def _edges(lines: list[_Line]) -> list[_Line]:
    """The lines at the top and the bottom of a page, by position, not drawing order."""
    ordered = sorted(lines, key=lambda line: -line.y)
    return ordered[:_EDGE_LINES] + ordered[max(_EDGE_LINES, len(ordered) - _EDGE_LINES) :]


def _margin(lines: list[_Line]) -> float:
    """The page's left margin: the leftmost start shared by two lines or more (a page may
    have as many indented first lines as others), else the leftmost."""
    starts = Counter(round(line.x) for line in lines)
    shared = [x for x, times in starts.items() if times > 1]
    return min(shared or starts)


def _signature(text: str) -> str:
    return re.sub(r"[0-9]+", "#", collapse_spaces(text).casefold())


def _weighted_mode(pairs: list[tuple[float, int]]) -> float:
    weights: Counter[float] = Counter()
    for value, weight in pairs:
        weights[value] += weight
    return weights.most_common(1)[0][0] if weights else 0.0


def _line_spacing(pages: list[_Page], size: float) -> float:
    gaps = [
        above.y - below.y
        for page in pages
        for above, below in zip(page.lines, page.lines[1:], strict=False)
        if 0 < above.y - below.y < 3 * size and abs(above.size - below.size) < 0.5
    ]
    return statistics.median(gaps) if gaps else 1.2 * size


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
