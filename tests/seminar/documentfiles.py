"""Real document files made by the tests: PDFs, .docx, EPUB and zip bombs, with known text.

Nothing here reads a file from disk: each builder returns the bytes of a file a program
could have written, small enough to build in milliseconds.

* ``make_pdf`` writes a PDF whose pages hold text lines at given positions (Helvetica,
  WinAnsi), as a typesetter draws them; ``blank_pdf`` one with empty pages and
  ``drawing_pdf`` one with a rectangle and no text;
* ``make_docx`` writes a Word document from its body XML (and footnotes);
* ``make_epub`` writes an EPUB 3 whose spine order is given separately from file order;
* ``zip_bomb`` writes a small zip whose member expands to a lot of zeros.
"""

import functools
import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    x: float
    y: float
    text: str
    size: float = 11


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    out = bytearray(b"(")
    for byte in raw:
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b")")


def _content(lines: list[Line]) -> bytes:
    parts = [b"BT"]
    for line in lines:
        text = _pdf_string(line.text)
        parts.append(b"/F1 %g Tf 1 0 0 1 %g %g Tm %s Tj" % (line.size, line.x, line.y, text))
    parts.append(b"ET")
    return b"\n".join(parts)


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _pages_pdf(contents: list[bytes], *, title: str = "") -> bytes:
    """A PDF of US-letter pages with the given content streams; objects 1-4 are fixed."""
    count = len(contents)
    first_page = 5
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(count))
    info = b"<< /Title %s >>" % _pdf_string(title) if title else b"<< >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        info,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, content in enumerate(contents):
        contents_at = first_page + 2 * i + 1
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 4 0 R >> >> /Contents %d 0 R >>" % contents_at
        )
        objects.append(_stream(content))
    return _assemble(objects)


def make_pdf(pages: list[list[Line]], *, title: str = "") -> bytes:
    return _pages_pdf([_content(lines) for lines in pages], title=title)


def drawing_pdf(pages: int = 2) -> bytes:
    """Pages with a drawn rectangle and not a single character: a scan, as far as text goes."""
    return _pages_pdf([b"0.5 g 72 72 468 648 re f"] * pages)


def blank_pdf(pages: int) -> bytes:
    """Many empty pages, written directly (pypdf's writer would take seconds for 2,000)."""
    return _pages_pdf([b""] * pages)


def encrypted_pdf(data: bytes, password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password or "owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def typeset(paragraphs: list[str], *, width: int = 70, indent: bool = False) -> list[list[str]]:
    """Paragraphs broken into lines of at most `width` characters (each a list of lines)."""
    broken = []
    for paragraph in paragraphs:
        lines, line = [], ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        broken.append(lines)
    return broken


HEADER = "Sahel Reader · Spring Term"


def laid_out_pdf(pages: list[list[str]], *, header: str = HEADER, title: str = "") -> bytes:
    """Pages of typeset lines as a typesetter draws them: a running header at the top, the
    page number at the foot, lines 14 pt apart from the top down. In a page's list, "\t"
    starts an indented first line, "" leaves a blank line and "# " sets a heading in 18 pt.
    The footer is drawn first, as many programs do: position, not order, makes it a footer."""
    out = []
    for number, texts in enumerate(pages, start=1):
        lines = [Line(300, 40, str(number)), Line(72, 760, header, 9)]
        y = 720.0
        for text in texts:
            if text.startswith("# "):
                lines.append(Line(72, y, text[2:], 18))
                y -= 30
            elif text.startswith("\t"):
                lines.append(Line(90, y, text[1:]))
                y -= 14
            elif text:
                lines.append(Line(72, y, text))
                y -= 14
            else:
                y -= 14
        out.append(lines)
    return make_pdf(out, title=title)


# .docx ------------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORDML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_PARTS = {"document": "document.main", "footnotes": "footnotes", "numbering": "numbering"}
_PARTS["styles"] = "styles"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = (
    f'{_XML_HEAD}<Types xmlns="{_PACKAGE}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    + "".join(
        f'<Override PartName="/word/{part}.xml" ContentType="{_WORDML}.{kind}+xml"/>'
        for part, kind in _PARTS.items()
    )
    + "</Types>"
)


def _relationships(targets: dict[str, str]) -> str:
    rows = "".join(
        f'<Relationship Id="rId{i}" Type="{_OFFICE}/{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets.items(), start=1)
    )
    return f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE}/relationships">{rows}</Relationships>'


_PACKAGE_RELS = _relationships({"officeDocument": "word/document.xml"})
_DOCUMENT_RELS = _relationships({part: f"{part}.xml" for part in _PARTS if part != "document"})

_NUMBERING = (
    f'{_XML_HEAD}<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="0">'
    '<w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>'
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'
)

# Word's names for its built-in styles: "Title", "heading 1".
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}">
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>
</w:styles>"""


def docx_paragraph(*runs: str, style: str = "", bullet: bool = False) -> str:
    """A paragraph; each run is text, "*text*" for italics or "[^n]" for footnote n."""
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if bullet:
        props += '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
    body = "".join(_docx_run(run) for run in runs)
    return f"<w:p><w:pPr>{props}</w:pPr>{body}</w:p>" if props else f"<w:p>{body}</w:p>"


def _docx_run(run: str) -> str:
    if run.startswith("[^") and run.endswith("]"):
        return f'<w:r><w:footnoteReference w:id="{run[2:-1]}"/></w:r>'
    if run.startswith("*") and run.endswith("*"):
        return f'<w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">{run[1:-1]}</w:t></w:r>'
    return f'<w:r><w:t xml:space="preserve">{run}</w:t></w:r>'


def make_docx(body: list[str], footnotes: dict[int, str] | None = None) -> bytes:
    notes = "".join(
        f'<w:footnote w:id="{number}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote>'
        for number, text in (footnotes or {}).items()
    )
    files = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _PACKAGE_RELS,
        "word/_rels/document.xml.rels": _DOCUMENT_RELS,
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{"".join(body)}</w:body></w:document>'
        ),
        "word/footnotes.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:footnotes xmlns:w="{W}">{notes}</w:footnotes>'
        ),
        "word/numbering.xml": _NUMBERING,
        "word/styles.xml": _STYLES,
    }
    return _zip(files)


def _zip(files: dict[str, str | bytes], *, stored: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            kind = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return out.getvalue()


# EPUB -------------------------------------------------------------------------------------


def make_epub(
    chapters: dict[str, str],
    *,
    spine: list[str],
    title: str,
    creator: str = "",
    aside: tuple[str, ...] = (),
) -> bytes:
    """An EPUB 3 with XHTML chapters (file name -> body HTML) read in `spine` order; those
    in `aside` are in the spine but outside the reading order (linear="no")."""
    items = "".join(
        f'<item id="c{i}" href="text/{name}" media-type="application/xhtml+xml"/>'
        for i, name in enumerate(chapters)
    )
    ids = {name: f"c{i}" for i, name in enumerate(chapters)}
    linear = {name: ' linear="no"' if name in aside else "" for name in spine}
    refs = "".join(f'<itemref idref="{ids[name]}"{linear[name]}/>' for name in spine)
    author = f"<dc:creator>{creator}</dc:creator>" if creator else ""
    files: dict[str, str | bytes] = {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": (
            '<?xml version="1.0"?>\n<container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>"
        ),
        "OEBPS/content.opf": (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:identifier id="id">urn:test</dc:identifier><dc:title>{title}</dc:title>{author}'
            "<dc:language>en</dc:language></metadata>"
            f'<manifest><item id="css" href="style.css" media-type="text/css"/>{items}</manifest>'
            f"<spine>{refs}</spine></package>"
        ),
        "OEBPS/style.css": "p { margin: 0 }",
    }
    for name, body in chapters.items():
        files[f"OEBPS/text/{name}"] = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
            '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Chapter</title>'
            '<link rel="stylesheet" href="../style.css"/></head>'
            f"<body>{body}</body></html>"
        )
    return _zip(files, stored=("mimetype",))


# Zip bombs --------------------------------------------------------------------------------


@functools.cache
def zip_bomb(member: str = "word/document.xml", *, expands_to: int = 1 << 30) -> bytes:
    """A zip of about a megabyte whose one member expands to `expands_to` zero bytes.

    Compressed in chunks straight into the archive, so that building it takes well under a
    second and never holds the expanded bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as handle:
            chunk = bytes(1 << 22)
            for _ in range(expands_to // len(chunk)):
                handle.write(chunk)
    return out.getvalue()


def ratio_bomb(member: str) -> bytes:
    """A zip whose one member, 20 MB of zeros, is within the size limits but packs a
    thousandfold: what a zip bomb looks like when it hides under the total."""
    return _zip({member: bytes(20 * 1024 * 1024)})


def many_members_zip(count: int) -> bytes:
    return _zip({f"part{number}.xml": "<x/>" for number in range(count)})
