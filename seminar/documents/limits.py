"""How much of a document Seminar reads, and the messages that say so.

Every limit is stated in the error that enforces it, so an instructor knows what to change
(split the file, save it smaller), not only that something failed. The limits keep one
import within a few seconds and a few hundred megabytes of memory, whatever the file.
"""

from seminar.textformats import MAX_BYTES, TextFormatError

MB = 1024 * 1024

MAX_TEXT_BYTES = MAX_BYTES  # a text upload, and the text any document may yield
MAX_DOCUMENT_BYTES = 20 * MB  # a PDF, .docx or .epub as uploaded
MAX_PDF_PAGES = 500
PDF_SECONDS = 20.0  # reading a PDF's text layer, all pages together
# PDF content streams: pypdf's own ceilings (75 MB) lowered to what a text page needs.
PDF_MAX_STREAM_BYTES = 20 * MB

MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_UNPACKED = 100 * MB  # all members together, as unpacked
MAX_ZIP_PART = 25 * MB  # any one member that is read (XML, XHTML)
MAX_ZIP_RATIO = 100  # unpacked / packed, for members over ZIP_RATIO_FROM
ZIP_RATIO_FROM = 1 * MB


class DocumentTooLarge(TextFormatError):
    """Over one of the limits above; the message names it."""


def size_in_mb(limit: int) -> str:
    return f"{limit // MB} MB"


def check_document_size(data: bytes, *, kind: str) -> None:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(
            f"The {kind} is {len(data) / MB:.1f} MB; Seminar reads files of up to"
            f" {size_in_mb(MAX_DOCUMENT_BYTES)}. Save it without images or split it, and"
            " upload the parts."
        )


def check_text_length(text: str, *, kind: str) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise DocumentTooLarge(
            f"The text of this {kind} is {size / MB:.1f} MB; a reading may hold up to"
            f" {size_in_mb(MAX_TEXT_BYTES)} of text. Split it into several readings."
        )
