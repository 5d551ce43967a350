"""An uploaded file or a pasted text, read into a reading, with what its preview says.

``read_upload`` picks the reader by the file's extension: PDF, Word (.docx) and EPUB files
become HTML (``seminar.documents.pdf``, ``docx``, ``epub``); text, Markdown and HTML files
are decoded in whatever common encoding they are in (``seminar.documents.encodings``). Both
end in ``seminar.textformats.parse_document``, so a reading from a PDF is stored, edited
and rendered like any HTML reading.

The result is an ``Imported``: the parsed reading and what an instructor should check in
the preview before saving it: the kind of file, the encoding Seminar chose, the page count,
the words, and notes on what was changed (running headers removed, images left out).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from seminar import textformats
from seminar.documents import docx, encodings, epub, limits, pdf
from seminar.textformats import ParsedReading, TextFormatError

__all__ = ["ACCEPTED", "DOCUMENTS", "Imported", "read_pasted", "read_upload"]

_DOCUMENTS = {".pdf": "PDF", ".docx": "Word document", ".epub": "EPUB"}
DOCUMENTS = tuple(_DOCUMENTS)  # the extensions read as documents (larger files allowed)
_TEXT_KINDS = {"text": "Plain text", "markdown": "Markdown", "html": "HTML"}
# What the file input offers, in the order the form names them.
ACCEPTED = (".pdf", ".docx", ".epub", ".txt", ".text", ".md", ".markdown", ".html", ".htm")


@dataclass(frozen=True)
class Imported:
    parsed: ParsedReading
    kind: str  # "PDF", "Word document", "EPUB", "Plain text", "Markdown", "HTML"
    encoding: str = ""  # how a text file was decoded, e.g. "Windows-1252 (detected)"
    pages: int | None = None  # a PDF's
    notes: tuple[str, ...] = ()  # what was changed or left out, one sentence each

    @property
    def words(self) -> int:
        return len(self.parsed.rendered.text.split())


def read_upload(data: bytes, *, filename: str) -> Imported:
    """The reading in an uploaded file, or a TextFormatError saying what to do instead."""
    extension = _extension(filename)
    if extension in _DOCUMENTS:
        return _read_document(data, filename=filename, extension=extension)
    if extension == ".doc":
        raise TextFormatError(
            "Seminar reads Word documents saved as .docx, not the older .doc. Open it in Word"
            " or LibreOffice, save it as .docx (Word Document) and upload that."
        )
    format = textformats.format_for_filename(filename)
    decoded = encodings.decode_text(data, filename=filename)
    parsed = textformats.parse_document(decoded.text, format=format, filename=filename)
    return Imported(parsed, _TEXT_KINDS[format], encoding=decoded.description)


def read_pasted(source: str, *, format: str) -> Imported:
    parsed = textformats.parse_document(source, format=format)
    return Imported(parsed, _TEXT_KINDS.get(format, format), encoding="")


def _read_document(data: bytes, *, filename: str, extension: str) -> Imported:
    kind = _DOCUMENTS[extension]
    if not data.strip():
        raise TextFormatError("The file is empty.")
    title = byline = ""
    pages = None
    notes: list[str] = []
    if extension == ".pdf":
        found = pdf.read_pdf(data)
        html, title, byline, pages = found.html, found.title, found.author, found.pages
        notes.extend(found.notes)
    elif extension == ".docx":
        found = docx.read_docx(data)
        html = found.html
        if found.notes:
            notes.append(f"{_count(found.notes, 'footnote')} kept, under “Notes” at the end.")
        if found.images:
            notes.append(f"{_count(found.images, 'image')} left out: a reading keeps the text.")
    else:
        found = epub.read_epub(data)
        html, title, byline = found.html, found.title, found.creator
        notes.append(f"{_count(found.chapters, 'chapter')} joined in reading order.")
    parsed = textformats.parse_document(html, format="html")
    limits.check_text_length(parsed.rendered.text, kind=kind)
    parsed = dataclasses.replace(
        parsed,
        title=parsed.title or title or textformats.title_from_filename(filename),
        byline=parsed.byline or byline,
    )
    return Imported(parsed, kind, pages=pages, notes=tuple(notes))


def _extension(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[1].lower() if "." in name else ""


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
