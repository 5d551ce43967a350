"""The whole-seminar archive: one ZIP that outlives the course, written as a stream.

    manifest.json                      format, version, seminar, options, counts, and the
                                       SHA-256 and size of every other file
    data.json                          everything needed to restore it (export.datafile)
    grades.csv                         the gradebook: a row per student and reading
    README.txt                         what is where
    readings/NN-slug/reading.html      the post and its discussion, readable offline
    readings/NN-slug/reading.md        the same in Markdown
    readings/NN-slug/annotations.csv   a row per annotation or reply
    readings/NN-slug/annotations.jsonld  W3C Web Annotations
    readings/NN-slug/revisions/N.txt   each revision's canonical text (what offsets count)
    readings/NN-slug/revisions/N.source.{txt,md,html.txt}  its source as the instructor wrote it
                                       (uploaded HTML kept as text: opened, it runs nothing)

`stream_zip` writes entries through `zipfile` into a sink that is emptied after every chunk,
so the archive goes out (to an HTTP response or a file) as it is made, in flat memory. The
manifest comes last, when every file's hash is known.

Each annotation is read twice per archive: once in id order for data.json (written straight
into its entry), once in thread order for its reading's other four files (`_one_pass`), whose
CSV lines, JSON-LD items and rendered threads go to a temporary file (`spool.Spool`) while
the pass runs; the entries are then copied out of it one after another. Memory holds the
spans and, per top-level post, a few integers (`threads.Layout`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from annotations.export import csvfile, datafile, htmlfile, jsonld, markdown, threads
from annotations.export.snapshot import ARCHIVE_FIELDS
from annotations.export.spool import Part, Spool
from annotations.grading import display, gradebook
from annotations.spreadsheets import line_writer, stream_csv

if TYPE_CHECKING:
    from annotations.export.jobs import Progress
    from annotations.export.snapshot import Scope
    from seminar.models import Reading, Seminar

Entry = tuple[str, Iterable[str | bytes]]  # (path in the archive, its chunks)

FLUSH_BYTES = 256 * 1024
# Deflate's fastest level: at the default (6) compressing took as long as making every file
# of the archive, for a ZIP a fifth smaller. The files inside are the same either way.
COMPRESS_LEVEL = 1
# An uploaded page is kept as plain text: an .html file opened from the unzipped archive
# would run whatever scripts its author put in it, with no CSP around it.
SOURCE_EXTENSIONS = {"text": "txt", "markdown": "md", "html": "html.txt"}


class _Sink:
    """A write-only, unseekable file: zipfile writes into it, we hand the bytes on."""

    def __init__(self):
        self.chunks, self.size, self.position = [], 0, 0

    def write(self, data):
        self.chunks.append(bytes(data))
        self.size += len(data)
        self.position += len(data)
        return len(data)

    def tell(self):
        return self.position

    def flush(self):
        pass

    def drain(self):
        data = b"".join(self.chunks)
        self.chunks, self.size = [], 0
        return data


def _encoded(chunks, size=64 * 1024):
    """The chunks as bytes, small ones joined into ~64 KB: data.json comes a record at a
    time, and each write into an entry costs a compressor call, a CRC and a hash update."""
    pending, length = [], 0
    for chunk in chunks:
        data = chunk.encode() if isinstance(chunk, str) else chunk
        pending.append(data)
        length += len(data)
        if length >= size:
            yield b"".join(pending)
            pending, length = [], 0
    if pending:
        yield b"".join(pending)


def stream_zip(
    entries: Iterable[Entry],
    *,
    manifest: dict[str, Any],
    when: datetime.datetime | None = None,
) -> Iterator[bytes]:
    """Yield the bytes of a ZIP holding `entries` ([(path, chunks)]) and, last,
    manifest.json: `manifest` (a dict) plus the files' paths, sizes and SHA-256."""
    when = timezone.localtime(when or timezone.now())
    sink = _Sink()
    files = []

    def with_manifest():
        yield from entries  # one at a time: an entry's data is read when it is written
        body = dict(manifest, files=files)
        yield "manifest.json", [json.dumps(body, ensure_ascii=False, indent=1) + "\n"]

    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, chunks in with_manifest():
            info = zipfile.ZipInfo(path, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = COMPRESS_LEVEL  # what ZipFile.open(info, "w") compresses at
            info.external_attr = 0o644 << 16
            digest, size = hashlib.sha256(), 0
            with archive.open(info, "w") as entry:
                for chunk in _encoded(chunks):
                    entry.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if sink.size >= FLUSH_BYTES:
                        yield sink.drain()
            if path != "manifest.json":
                files.append({"path": path, "bytes": size, "sha256": digest.hexdigest()})
            yield sink.drain()
    yield sink.drain()


def grade_rows(scope: Scope) -> Iterator[list[Any]]:
    """The gradebook, long: a row per student and reading (names masked like everywhere).

    A student's posts on one reading at a time (`gradebook.reading_cells`): the whole
    gradebook (`gradebook.build`) holds every post it grades."""
    people = scope.people
    yield [
        "student",
        "username",
        "email",
        "group",
        "reading",
        "posts",
        "words",
        "late",
        display.grade_header("suggested"),
        "explanation",
        display.grade_header("final"),
        "overridden",
        "feedback",
        "released",
    ]
    students = gradebook.students_of(scope.seminar)
    if people.mask:
        # In the order of the names shown: the order of real names would say who is who.
        students.sort(key=lambda s: people.name(s.pk, s.display_name, s.username))
    for reading in scope.readings:
        for student, cell in gradebook.reading_cells(
            scope.seminar, reading=reading, students=students
        ):
            masked = people.masked(student.pk)
            name = people.name(student.pk, student.display_name, student.username)
            yield [
                name,
                "" if masked else student.username,
                "" if masked else student.email,
                student.group_name,
                reading.title,
                cell.participation.posts,
                cell.participation.words,
                cell.participation.late,
                cell.suggestion.grade,
                cell.suggestion.explanation,
                None if cell.final is None else round(cell.final, 1),
                cell.overridden,
                cell.feedback,
                cell.released,
            ]


README = """\
{title} — a Seminar archive, made {when}.

Open readings/*/reading.html in any browser: each is one self-contained page (the text
with its annotated passages highlighted, then every thread). reading.md is the same in
Markdown; annotations.csv opens in a spreadsheet; annotations.jsonld holds W3C Web
Annotations. revisions/ has every version of each text (an uploaded HTML page as .html.txt: text,
never run). grades.csv is the gradebook.
data.json holds everything, for `python manage.py import_archive` to restore the seminar.
manifest.json lists every file with its SHA-256.
"""


def folder_name(index: int, reading: Reading) -> str:
    return f"readings/{index:02d}-{reading.slug}/"


def _revision_files(reading, folder):
    revisions = reading.revisions.order_by("number").values_list("number", "format")
    for number, fmt in revisions:
        # One revision's text at a time: a long history is never all in memory.
        text, source = reading.revisions.filter(number=number).values_list("text", "source")[0]
        yield f"{folder}revisions/{number}.txt", [text]
        yield f"{folder}revisions/{number}.source.{SOURCE_EXTENSIONS.get(fmt, 'txt')}", [source]


def _reading_files(one, folder, exported):
    """A reading's CSV, JSON-LD, HTML and Markdown, made in one pass over its annotations
    (`_one_pass`), the first three spooled while the pass runs."""
    if one.owner is not None:  # a member's own posts: the formats read them themselves
        yield f"{folder}annotations.csv", csvfile.stream(one)
        yield f"{folder}annotations.jsonld", jsonld.stream(one)
        yield f"{folder}reading.html", htmlfile.stream(one, exported=exported)
        yield f"{folder}reading.md", markdown.stream(one, exported=exported)
        return
    spool = Spool()
    try:
        csv_part, jsonld_part, layout = _one_pass(one, spool)
        yield f"{folder}annotations.csv", csv_part
        yield f"{folder}annotations.jsonld", jsonld_part
        yield f"{folder}reading.html", htmlfile.stream(one, exported=exported, layout=layout)
        yield f"{folder}reading.md", markdown.stream(one, exported=exported, layout=layout)
    finally:
        spool.close()


def _one_pass(one, spool):
    """Each annotation of the reading read once, in thread order, and handed to every format:
    a CSV line and a JSON-LD item into the spool, the thread to the `Layout` (HTML and
    Markdown). The rows' times are ISO text from the database; HTML and Markdown print
    `created` in the site's time zone, so it is parsed once here."""
    revision = one.reading.current_revision
    csv_part, jsonld_part = Part(spool), Part(spool)
    cells, line = csvfile.Cells(one), line_writer()
    pages = jsonld.Pages(one)
    iris, people = pages.iris, one.people
    renderers = {"html": htmlfile.renderer(one), "md": markdown.renderer(one)}
    layout = threads.Layout(
        current_number=revision.number if revision else None, renderers=renderers, spool=spool
    )
    pending = [line(csvfile.HEADER)]
    jsonld_part.write(pages.start())
    parse = datetime.datetime.fromisoformat
    rows = one.annotation_rows(order="thread", scored=True, fields=ARCHIVE_FIELDS, text_times=True)
    for row in rows:
        pending.append(line(cells(row)))
        if len(pending) >= 500:
            csv_part.write(b"".join(pending))
            pending = []
        jsonld_part.write(pages.add(jsonld.annotation(row, iris, people)))
        layout.add(dict(row, created=parse(row["created"])))
    csv_part.write(b"".join(pending))
    for item in jsonld.tail(one, iris):
        jsonld_part.write(pages.add(item))
    jsonld_part.write(pages.finish())
    return csv_part, jsonld_part, layout.finish()


def entries(
    scope: Scope,
    counts: datafile.Counts,
    *,
    exported: datetime.datetime,
    progress: Progress | None = None,
) -> Iterator[Entry]:
    """[(path, chunks)] of the seminar archive; `counts` fills in as data.json is written."""
    tick = progress.tick if progress else None
    yield "data.json", datafile.stream(scope, counts, exported=exported, progress=tick)
    for index, reading in enumerate(scope.readings, 1):
        folder = folder_name(index, reading)
        one = scope.for_reading(reading)
        yield from _revision_files(reading, folder)
        yield from _reading_files(one, folder, exported)
        if progress:
            progress.reading_done()
    yield "grades.csv", stream_csv(grade_rows(scope))
    when = timezone.localtime(exported).strftime("%Y-%m-%d %H:%M %Z")
    yield "README.txt", [README.format(title=scope.seminar.title, when=when)]


def stream(
    scope: Scope,
    *,
    exported: datetime.datetime | None = None,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """The seminar archive as ZIP bytes."""
    exported = exported or timezone.now()
    counts = datafile.Counts()
    seminar = scope.seminar
    manifest = {
        "format": datafile.FORMAT,
        "version": datafile.VERSION,
        "created": exported.isoformat(),
        "generator": "Seminar",
        "seminar": {"title": seminar.title, "slug": seminar.slug, "term": seminar.term},
        "options": {k: v for k, v in scope.options.as_dict().items() if k != "base_url"},
        "counts": counts,  # the same dict, filled in before the manifest is written
    }
    return stream_zip(
        entries(scope, counts, exported=exported, progress=progress),
        manifest=manifest,
        when=exported,
    )


def filename(seminar: Seminar, exported: datetime.datetime | None = None) -> str:
    stamp = timezone.localtime(exported or timezone.now()).strftime("%Y%m%d-%H%M")
    return f"{seminar.slug}-archive-{stamp}.zip"
