"""Text files in any common encoding (seminar/documents/encodings.py), named for the preview."""

import codecs

import pytest

from seminar.documents.encodings import decode_text
from seminar.documents.uploads import read_upload
from seminar.textformats import TextFormatError

TEXT = "The “sweet spot” of Mali’s café — naïve, déjà vu."
FRENCH = "Les élèves ont étudié la sécurité au Sahel, à Gao et à Tombouctou."


BOM = "with a byte order mark"


@pytest.mark.parametrize(
    ("data", "encoding", "description"),
    [
        (TEXT.encode(), "UTF-8", "UTF-8"),
        (codecs.BOM_UTF8 + TEXT.encode(), "UTF-8", f"UTF-8 {BOM}"),
        (
            codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
            "UTF-16 LE",
            "UTF-16 LE with a byte order mark",
        ),
        (
            codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
            "UTF-16 BE",
            "UTF-16 BE with a byte order mark",
        ),
        (TEXT.encode("utf-16-le"), "UTF-16 LE", "UTF-16 LE (detected)"),
        (TEXT.encode("utf-16-be"), "UTF-16 BE", "UTF-16 BE (detected)"),
        (
            codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
            "UTF-32 LE",
            "UTF-32 LE with a byte order mark",
        ),
        (TEXT.encode("cp1252"), "Windows-1252", "Windows-1252 (detected)"),
    ],
)
def test_each_encoding_is_decoded_and_named(data, encoding, description):
    decoded = decode_text(data)
    assert decoded.text == TEXT
    assert (decoded.encoding, decoded.description) == (encoding, description)


def test_latin1_reads_the_same_and_says_so():
    decoded = decode_text(FRENCH.encode("latin-1"))
    assert decoded.text == FRENCH
    assert decoded.description == "Latin-1 (ISO 8859-1) (detected)"


def test_short_western_text_is_not_read_as_another_alphabet():
    # charset-normalizer alone calls this Farsi (cp1006) or Central European (cp1250).
    assert decode_text(b"caf\xe9 au lait").text == "café au lait"
    assert decode_text("naïve".encode("cp1252")).text == "naïve"


def test_other_alphabets_are_still_detected():
    russian = "Привет, как дела? Это текст на русском языке для проверки кодировки."
    decoded = decode_text(russian.encode("cp1251"))
    assert decoded.text == russian and decoded.guessed


def test_the_preview_gets_the_encoding_of_an_upload():
    imported = read_upload(("Title\n\n" + TEXT).encode("cp1252"), filename="notes.txt")
    assert imported.encoding == "Windows-1252 (detected)"
    assert imported.parsed.rendered.text == TEXT
    assert read_upload(b"# Title\n\nBody.", filename="a.md").encoding == "UTF-8"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (codecs.BOM_UTF16_LE, "The file is empty."),
        (bytes(range(256)) * 4, "This looks like a binary file, not text."),
        (codecs.BOM_UTF16_LE + b"\x00\xd8A\x00", "not valid UTF-16 LE"),
        (codecs.BOM_UTF16_LE + "\x01\x02\x03\x04 x".encode("utf-16-le"), "binary file"),
    ],
)
def test_what_is_not_text_is_refused(data, message):
    with pytest.raises(TextFormatError, match=message):
        decode_text(data, filename="notes.txt")


def test_a_binary_office_file_gets_a_hint():
    with pytest.raises(TextFormatError, match=r"as a Word document \(\.docx\), PDF"):
        decode_text(b"\x00\x01binary", filename="essay.odt")
