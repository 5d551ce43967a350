"""EPUB books and articles: their XHTML chapters, in reading order, as one HTML body.

An EPUB is a zip. ``META-INF/container.xml`` names the package document (the OPF); its
manifest lists the files and its spine gives the reading order, which need not be the
order of the files in the archive. Each chapter's ``<body>`` content is taken in spine
order (chapters marked ``linear="no"``, such as pop-up notes, are left out), joined, and
read by the ordinary HTML path, which sanitizes it. The OPF's ``dc:title`` and
``dc:creator`` become the reading's title and byline.

The archive is checked for zip bombs before anything is unpacked
(``seminar.documents.zips``); the two XML files are refused if they declare entities.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from html import escape
from urllib.parse import unquote

from seminar.documents import limits, zips
from seminar.textblocks import collapse_spaces

__all__ = ["EpubText", "read_epub"]

KIND = "EPUB"
_CHAPTER_TYPES = {"application/xhtml+xml", "text/html"}
_BODY = re.compile(r"<body\b[^>]*>(.*)</body\s*>", re.IGNORECASE | re.DOTALL)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


@dataclass(frozen=True)
class EpubText:
    html: str
    title: str
    creator: str
    chapters: int


def read_epub(data: bytes) -> EpubText:
    limits.check_document_size(data, kind=KIND)
    archive = zips.open_zip(data, kind=KIND)
    container = _xml(archive, "META-INF/container.xml")
    rootfile = container.find(".//{*}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise zips.damaged(KIND, " (its container names no package file)")
    opf_path = rootfile.get("full-path")
    package = _xml(archive, opf_path)
    base = posixpath.dirname(opf_path)
    manifest = {
        item.get("id"): (item.get("href", ""), item.get("media-type", ""))
        for item in package.iterfind(".//{*}manifest/{*}item")
    }
    title = _text(package.find(".//{*}metadata/{*}title"))
    creator = _text(package.find(".//{*}metadata/{*}creator"))
    bodies = []
    for itemref in package.iterfind(".//{*}spine/{*}itemref"):
        href, media_type = manifest.get(itemref.get("idref"), ("", ""))
        if itemref.get("linear") == "no" or media_type not in _CHAPTER_TYPES or not href:
            continue
        path = posixpath.normpath(posixpath.join(base, unquote(href.split("#", 1)[0])))
        bodies.append(_body(zips.read_member(archive, path, kind=KIND)))
    if not bodies:
        raise zips.damaged(KIND, " (its spine lists no chapters)")
    # The title as the first heading: the HTML path takes it off as the reading's title,
    # and each chapter keeps its own heading.
    head = f"<h1>{escape(title)}</h1>\n" if title else ""
    html = head + "\n".join(f"<section>{body}</section>" for body in bodies)
    return EpubText(html=html, title=title, creator=creator, chapters=len(bodies))


def _xml(archive, name: str) -> ElementTree.Element:
    data = zips.check_xml(zips.read_member(archive, name, kind=KIND), kind=KIND, name=name)
    try:
        # Safe here: check_xml refused entity declarations, and no DTD is fetched.
        return ElementTree.fromstring(data)  # noqa: S314
    except ElementTree.ParseError:
        raise zips.damaged(KIND, f" ({name} is not well-formed XML)") from None


def _text(element: ElementTree.Element | None) -> str:
    return collapse_spaces("".join(element.itertext())) if element is not None else ""


def _body(data: bytes) -> str:
    """A chapter's body content as text; the whole file when it has no body element."""
    match = _XML_ENCODING.match(data.lstrip(b"\xef\xbb\xbf"))
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    body = _BODY.search(text)
    return body.group(1) if body else text
