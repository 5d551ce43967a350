"""Reading a seminar archive back: the checks first, then data.json as a stream of records.

`opened(file)` checks the archive before anything is written: a ZIP, a manifest of a format
and version this code reads, every listed file present with its size and SHA-256, no file
that is not listed. It then hands out data.json's sections in file order, records one at a
time: `datafile` writes a record per line, so a seminar of any size is restored without
holding its data.json in memory. A data.json laid out otherwise (pretty-printed by hand, say)
is still valid JSON and is read whole instead.
"""

import contextlib
import hashlib
import io
import json
import zipfile

from annotations.export import datafile

# Version 1 lacks what version 2 added (datafile); `restore` fills that in as it can.
SUPPORTED_VERSIONS = (1, 2, datafile.VERSION)
VALUES = ("seminar", "grading_policy")
LISTS = (
    "users",
    "groups",
    "readings",
    "revisions",
    "annotations",
    "votes",
    "flags",
    "moderation_events",
    "access_changes",
    "scores",
    "grades",
    "releases",
)
# Sections an earlier version did not write: read when there, not asked for.
LATER_LISTS = ("groups", "access_changes")
HEADER = ("format", "version", "exported", "options")


class RestoreError(ValueError):
    """The archive cannot be restored; the message says why. Nothing was saved."""


def _sha256(archive, name):
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as entry:
        while chunk := entry.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _manifest(archive):
    try:
        manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RestoreError(f"manifest.json is not valid JSON ({exc}).") from exc
    check_version("manifest.json", manifest)
    return manifest


def check_version(what, data):
    if not isinstance(data, dict) or data.get("format") != datafile.FORMAT:
        raise RestoreError(f"{what} does not describe a Seminar archive.")
    version = data.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise RestoreError(
            f"{what} is format version {version!r}; this Seminar reads versions "
            f"{' and '.join(map(str, SUPPORTED_VERSIONS))}. Restore it with a newer Seminar."
        )


def check(archive):
    """Raise RestoreError unless every file is there, listed and intact."""
    names = set(archive.namelist())
    if "manifest.json" not in names:
        raise RestoreError("manifest.json is missing: this is not a Seminar archive.")
    listed = _manifest(archive).get("files")
    if not isinstance(listed, list) or not all(isinstance(f, dict) for f in listed):
        raise RestoreError("manifest.json has no list of files.")
    paths = {f.get("path") for f in listed}
    if "data.json" not in paths:
        raise RestoreError("manifest.json does not list data.json.")
    for unlisted in sorted(names - paths - {"manifest.json"}):
        raise RestoreError(f"{unlisted} is in the archive but not in manifest.json.")
    for entry in listed:
        path = entry.get("path")
        if path not in names:
            raise RestoreError(f"{path} is listed in manifest.json but missing.")
        digest, size = _sha256(archive, path)
        if digest != entry.get("sha256") or size != entry.get("bytes"):
            raise RestoreError(
                f"{path} does not match its SHA-256 in manifest.json: the archive is "
                "damaged or was edited."
            )


@contextlib.contextmanager
def opened(file):
    """Check the archive (a path or a binary file); give its data.json's (name, value) pairs.

    Values of list sections are iterators of records, to be read before the next pair."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RestoreError(f"This is not a ZIP archive, or it is damaged ({exc}).") from exc
    try:
        with archive:
            check(archive)
            with archive.open("data.json") as raw:
                yield sections(io.TextIOWrapper(raw, encoding="utf-8"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise RestoreError(f"The archive is damaged ({exc}).") from exc
    except UnicodeDecodeError as exc:
        raise RestoreError("data.json is not UTF-8 text.") from exc


def _loads(text, number):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RestoreError(f"data.json is not valid JSON (line {number}: {exc.msg}).") from exc


def sections(stream):
    """(name, value) pairs in file order, after the header has been checked."""
    first = stream.readline()
    if not (first.startswith('{"format": ') and first.endswith(",\n")):
        yield from _whole(first + stream.read())
        return
    header = _loads(first[:-2] + "}", 1)
    check_version("data.json", header)
    yield "header", header
    lines = enumerate(stream, 2)
    for number, line in lines:
        line = line.rstrip("\n")
        if line == "}":
            return
        name, _, value = line.partition(": ")
        name = _loads(name, number) if name.startswith('"') else None
        if name in LISTS and value == "[":
            records = _records(lines)
            yield name, records
            for _ in records:  # whatever the reader left unread
                pass
        elif name in VALUES and value.endswith(","):
            yield name, _loads(value[:-1], number)
        else:
            raise RestoreError(f"data.json is not laid out as Seminar writes it (line {number}).")
    raise RestoreError("data.json is not valid JSON: it ends early.")


def _records(lines):
    for number, line in lines:
        line = line.rstrip("\n")
        if line in ("]", "],"):
            return
        yield _loads(line.removesuffix(","), number)
    raise RestoreError("data.json is not valid JSON: it ends early.")


def _whole(text):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RestoreError(
            f"data.json is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    check_version("data.json", data)
    yield "header", {k: data.get(k) for k in HEADER}
    for name in (*VALUES, *LISTS):
        if name not in data and name in LATER_LISTS:
            continue
        if name not in data:
            raise RestoreError(f"data.json has no “{name}”.")
        value = data[name]
        yield name, iter(value) if name in LISTS else value
