"""Text files in any common encoding, decoded and named.

People upload text saved by many programs: UTF-8 with or without a byte order mark, UTF-16
from Word's "Unicode text", Windows-1252 from older Windows programs, Latin-1 from old web
pages. The order of trust:

1. a byte order mark says the encoding outright (UTF-8, UTF-16 or UTF-32);
2. text with a zero byte in every other position is UTF-16 without a mark;
3. bytes that are valid UTF-8 are UTF-8 (other encodings rarely are by accident);
4. otherwise Windows-1252 (the superset of Latin-1), when the text reads plausibly in it;
   else charset-normalizer's guess. Asked first, charset-normalizer ranks several
   single-byte encodings as equally good for Western text and often names Windows-1250 or
   a Baltic one, which turns "naïve" into "naďve"; Western files are far the most common
   here. A Turkish or Icelandic file may read plausibly but wrongly as Windows-1252: the
   preview names the encoding, and saving as UTF-8 settles it.

The guess is named (``Decoded.encoding``) so that the preview shows it and a person can
check the accents before saving.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

from seminar.documents.limits import MAX_TEXT_BYTES, size_in_mb
from seminar.textformats import TextFormatError

__all__ = ["Decoded", "decode_text", "reject_binary"]

_BOMS = (
    # UTF-32 first: its little-endian mark begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)
_NAMES = {
    "utf_8": "UTF-8",
    "utf_16_le": "UTF-16 LE",
    "utf_16_be": "UTF-16 BE",
    "utf_16": "UTF-16",
    "utf_32": "UTF-32",
    "cp1252": "Windows-1252",
    "latin_1": "Latin-1 (ISO 8859-1)",
    "iso8859_15": "Latin-9 (ISO 8859-15)",
    "cp1250": "Windows-1250",
    "cp1251": "Windows-1251",
    "mac_roman": "Mac Roman",
}
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 32), 127])
_MAX_CONTROL_SHARE = 0.05
# Files people upload believing they are text; they get a hint on how to convert them.
_OFFICE_EXTENSIONS = (".doc", ".odt", ".pages", ".rtf", ".wpd")
_TIE = 0.01  # chaos scores this close are a tie
# charset-normalizer's own bar for text that reads as text. On short texts its scores are
# noisy ("naïve" scores 0.1 in Windows-1252 and 0 as Baltic "naļve"); text in another
# alphabet read as Windows-1252 scores far above it (Cyrillic or Polish: over 1).
_PLAUSIBLE = 0.2
_SAMPLE = 4096


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # as a person names it: "UTF-8", "UTF-16 LE", "Windows-1252"
    byte_order_mark: bool = False
    guessed: bool = False  # True when charset-normalizer chose it

    @property
    def description(self) -> str:
        """What the preview says: "UTF-8 with a byte order mark", "Windows-1252 (detected)"."""
        if self.byte_order_mark:
            return f"{self.encoding} with a byte order mark"
        return f"{self.encoding} (detected)" if self.guessed else self.encoding


def decode_text(data: bytes, *, filename: str = "") -> Decoded:
    """The text of an uploaded text file, or a TextFormatError saying why there is none."""
    if len(data) > MAX_TEXT_BYTES:
        raise TextFormatError(f"The file is larger than {size_in_mb(MAX_TEXT_BYTES)}.")
    decoded = _by_mark(data) or _utf16_unmarked(data)
    if decoded is None:
        if not data.strip():
            raise TextFormatError("The file is empty.")
        reject_binary(data, filename)
        try:
            decoded = Decoded(data.decode("utf-8"), "UTF-8")
        except UnicodeDecodeError:
            decoded = _guess(data)
    else:
        reject_binary(decoded.text.encode("utf-8", "surrogatepass"), filename)
    if not decoded.text.strip():
        raise TextFormatError("The file is empty.")
    return decoded


def reject_binary(data: bytes, filename: str = "") -> None:
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if b"\x00" in data or controls > len(data) * _MAX_CONTROL_SHARE:
        message = "This looks like a binary file, not text."
        if filename.lower().endswith(_OFFICE_EXTENSIONS):
            message += (
                " Save it from the program that made it as a Word document (.docx), PDF,"
                " plain text, Markdown or HTML."
            )
        raise TextFormatError(message)


def _by_mark(data: bytes) -> Decoded | None:
    for mark, codec, name in _BOMS:
        if data.startswith(mark):
            try:
                text = data[len(mark) :].decode(codec)
            except UnicodeDecodeError:
                raise TextFormatError(
                    f"The file starts as {name} text but is not valid {name}."
                    " Save it as UTF-8 and try again."
                ) from None
            return Decoded(text, name, byte_order_mark=True)
    return None


def _utf16_unmarked(data: bytes) -> Decoded | None:
    """UTF-16 without a mark: mostly ASCII text has a zero in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:_SAMPLE]
    half = len(sample) // 2
    zeros_even, zeros_odd = sample[0::2].count(0), sample[1::2].count(0)
    for codec, name, zeros, others in (
        ("utf-16-le", "UTF-16 LE", zeros_odd, zeros_even),
        ("utf-16-be", "UTF-16 BE", zeros_even, zeros_odd),
    ):
        if zeros > half * 0.3 and others == 0:
            try:
                return Decoded(data.decode(codec), name, guessed=True)
            except UnicodeDecodeError:
                return None
    return None


def _guess(data: bytes) -> Decoded:
    best = from_bytes(data).best()
    western = _western(data)
    ceiling = max(_PLAUSIBLE, best.chaos + _TIE) if best is not None else _PLAUSIBLE
    if western is not None and mess_ratio(western) < ceiling:
        # Bytes 0x80-0x9F are printable only in Windows-1252; without them the text reads
        # the same in Latin-1, the name most such files were saved under.
        c1 = any(0x80 <= byte <= 0x9F for byte in data)
        return Decoded(western, "Windows-1252" if c1 else "Latin-1 (ISO 8859-1)", guessed=True)
    if best is None:
        raise TextFormatError(
            "Seminar cannot tell which encoding this text is in. Save it as UTF-8 and try again."
        )
    name = _NAMES.get(best.encoding, best.encoding.replace("_", "-").upper())
    return Decoded(str(best), name, guessed=True)


def _western(data: bytes) -> str | None:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined in it
        return None
