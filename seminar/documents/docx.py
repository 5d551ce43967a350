"""Word documents (.docx): mammoth's HTML, then the reading's ordinary HTML path.

mammoth maps Word's styles to HTML by meaning (Heading 1 to ``h1``, list paragraphs to
lists, italics to ``em``) and brings footnotes and endnotes to the end as an ordered list.
What is adjusted here:

* the Title style becomes the ``h1`` that ``seminar.textformats`` takes as the title (mammoth
  leaves it a paragraph);
* images are left out (a reading is its text; mammoth would inline them as data URLs);
* footnotes sit under a "Notes" heading, without mammoth's "↑" links back to the text
  (in-page links do not survive the sanitizer; the arrows would be stray text). The note
  numbers in the text stay, as "[1]" in superscript.

mammoth never reads files outside the document (its default), and the archive is checked
for zip bombs and XML entities before mammoth opens it (``seminar.documents.zips``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import mammoth

from seminar.documents import limits, zips

__all__ = ["DocxText", "read_docx"]

KIND = "Word document"
_STYLE_MAP = "\n".join(
    [
        "p[style-name='Title'] => h1:fresh",
        "p.Title => h1:fresh",
        "p[style-name='Subtitle'] => p:fresh",
    ]
)
_BACK_LINK = re.compile(r'\s*<a href="#(?:footnote|endnote)-ref-[0-9]+">\u2191</a>')
_NOTES_LIST = re.compile(r'<ol><li id="(?:footnote|endnote)-')
_XML_PARTS = (".xml", ".rels")


@dataclass(frozen=True)
class DocxText:
    html: str
    images: int  # left out
    notes: int  # footnotes and endnotes kept


def read_docx(data: bytes) -> DocxText:
    limits.check_document_size(data, kind=KIND)
    archive = zips.open_zip(data, kind=KIND)
    names = set(archive.namelist())
    if "word/document.xml" not in names:
        raise zips.DamagedFile(
            "This file is not a Word document (.docx): it has no document inside. If it is an"
            " older .doc, or another program's file renamed, open it in Word or LibreOffice,"
            " save it as .docx and upload that."
        )
    for name in sorted(names):
        if name.endswith(_XML_PARTS):
            zips.check_xml(zips.read_member(archive, name, kind=KIND), kind=KIND, name=name)
    images = 0

    def leave_out(image):
        nonlocal images
        images += 1
        return []

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=_STYLE_MAP,
            convert_image=leave_out,
            include_embedded_style_map=False,
        )
    except Exception:  # noqa: BLE001 -- mammoth's failures on a bad file are of many kinds
        raise zips.damaged(KIND) from None
    html = _BACK_LINK.sub("", result.value)
    notes = len(re.findall(r'<li id="(?:footnote|endnote)-', html))
    match = _NOTES_LIST.search(html)
    if match:
        html = html[: match.start()] + "<h2>Notes</h2>" + html[match.start() :]
    return DocxText(html=html, images=images, notes=notes)
