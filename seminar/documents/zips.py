"""Zip archives (.docx and .epub files are zips), checked before anything is unpacked.

A zip bomb is a small archive that unpacks to gigabytes: a few kilobytes of compressed
zeros, or a directory of a million members. Every figure needed to refuse one is in the
archive's directory, so the checks run before a byte is inflated:

* the end record's member count and directory size (before ``zipfile`` reads the directory,
  which would build an object per member);
* the members' total unpacked size, each member's compression ratio, encrypted members;
* the size of each member that is read, and the bytes actually unpacked (``read_member``
  never inflates more than its limit, whatever the directory claims).

An XML member that declares entities is refused too: no .docx or EPUB needs them, and they
are how an XML file expands itself.
"""

from __future__ import annotations

import io
import struct
import zipfile

from seminar.documents import limits
from seminar.textformats import TextFormatError

__all__ = ["DamagedFile", "open_zip", "read_member", "check_xml"]

_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
_MAX_COMMENT = 0xFFFF
# A directory entry is 46 bytes and its name; 1 KB each is generous for real files.
_MAX_DIRECTORY_BYTES = limits.MAX_ZIP_MEMBERS * 1024


class DamagedFile(TextFormatError):
    """The file cannot be read as what its name says."""


def damaged(kind: str, detail: str = "") -> DamagedFile:
    return DamagedFile(
        f"This {kind} is damaged or is not really a {kind}{detail}. Open it in the program"
        " that made it, save it again, and upload the new copy."
    )


def open_zip(data: bytes, *, kind: str) -> zipfile.ZipFile:
    """The archive, once its directory shows it unpacks within the limits."""
    entries, directory_bytes = _directory(data, kind=kind)
    if entries > limits.MAX_ZIP_MEMBERS or directory_bytes > _MAX_DIRECTORY_BYTES:
        raise _too_many(kind, entries)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise damaged(kind, " (it is not a readable zip archive)") from None
    if len(members) > limits.MAX_ZIP_MEMBERS:
        raise _too_many(kind, len(members))
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.MAX_ZIP_UNPACKED:
        raise limits.DocumentTooLarge(
            f"This {kind} would unpack to {unpacked / limits.MB:,.0f} MB; Seminar unpacks at"
            f" most {limits.size_in_mb(limits.MAX_ZIP_UNPACKED)}. Save it without large"
            " images or embedded files, or split it."
        )
    for member in members:
        if member.flag_bits & 0x1:
            raise TextFormatError(
                f"This {kind} is password-protected. Remove the password in the program that"
                " made it, save it again and upload that copy."
            )
        if member.file_size > limits.ZIP_RATIO_FROM and member.file_size > (
            limits.MAX_ZIP_RATIO * max(member.compress_size, 1)
        ):
            raise limits.DocumentTooLarge(
                f"This {kind} holds a part ({member.filename}) that expands"
                f" {member.file_size // max(member.compress_size, 1):,} times when unpacked;"
                f" Seminar refuses parts over {limits.size_in_mb(limits.ZIP_RATIO_FROM)} that"
                f" expand more than {limits.MAX_ZIP_RATIO} times (a zip bomb). Save the file"
                " again from the program that made it."
            )
    return archive


def read_member(
    archive: zipfile.ZipFile, name: str, *, kind: str, limit: int = limits.MAX_ZIP_PART
) -> bytes:
    """One member's bytes, never inflating more than `limit`, whatever the directory says."""
    try:
        member = archive.getinfo(name)
    except KeyError:
        raise damaged(kind, f" (it has no {name})") from None
    if member.file_size > limit:
        raise _part_too_large(kind, name, member.file_size, limit)
    try:
        with archive.open(member) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError):
        raise damaged(kind, f" ({name} cannot be unpacked)") from None
    if len(data) > limit:
        raise _part_too_large(kind, name, len(data), limit)
    return data


def check_xml(data: bytes, *, kind: str, name: str) -> bytes:
    """`data` unless it declares XML entities (which is how XML expands itself)."""
    if b"<!ENTITY" in data:
        raise damaged(kind, f" ({name} declares XML entities, which Seminar does not read)")
    return data


def _too_many(kind: str, count: int) -> limits.DocumentTooLarge:
    return limits.DocumentTooLarge(
        f"This {kind} holds {count:,} files; Seminar reads archives of at most"
        f" {limits.MAX_ZIP_MEMBERS:,}. Save it again from the program that made it."
    )


def _part_too_large(kind: str, name: str, size: int, limit: int) -> limits.DocumentTooLarge:
    return limits.DocumentTooLarge(
        f"This {kind}'s {name} unpacks to more than {size / limits.MB:,.0f} MB; Seminar reads"
        f" parts of up to {limits.size_in_mb(limit)}. Split the document and upload the parts."
    )


def _directory(data: bytes, *, kind: str) -> tuple[int, int]:
    """The member count and directory size the end record declares, Zip64 included."""
    tail_start = max(0, len(data) - (22 + _MAX_COMMENT))
    at = data.rfind(_END, tail_start)
    if at < 0 or len(data) - at < 22:
        raise damaged(kind, " (it is not a zip archive)")
    _, _, _, _, entries, size, _, _ = struct.unpack("<4s4H2LH", data[at : at + 22])
    if entries == 0xFFFF or size == 0xFFFFFFFF:
        locator = at - 20
        if locator < 0 or data[locator : locator + 4] != _END64_LOCATOR:
            raise damaged(kind, " (its zip directory is broken)")
        _, _, record, _ = struct.unpack("<4sLQL", data[locator : locator + 20])
        if data[record : record + 4] != _END64 or len(data) < record + 56:
            raise damaged(kind, " (its zip directory is broken)")
        fields = struct.unpack("<4sQ2H2L4Q", data[record : record + 56])
        entries, size = fields[7], fields[8]
    return entries, size
