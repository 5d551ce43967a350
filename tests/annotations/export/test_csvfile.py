"""CSV exports: a row per post, safe in spreadsheets, faithful to commas, quotes and newlines."""

import csv
import io

from annotations.export import csvfile
from annotations.export.snapshot import Options, Scope
from annotations.models import Annotation

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd"]


def parse(data, *, bom=False):
    text = data.decode("utf-8")
    if bom:
        assert text.startswith("\ufeff")
        text = text[1:]
    return list(csv.DictReader(io.StringIO(text, newline="")))


def export(scope, **kwargs):
    return b"".join(csvfile.stream(scope, **kwargs))


def test_a_row_per_post_with_its_thread_marks_and_score(discussion):
    d = discussion
    rows = parse(export(Scope(d.seminar, reading=d.reading)))
    assert list(rows[0]) == csvfile.HEADER
    by_id = {int(r["id"]): r for r in rows}
    critique = by_id[d.critique.pk]
    assert critique["kind"] == "critique" and critique["tags"] == "timing; evidence"
    assert critique["quote"] == d.critique.quote_exact
    assert (critique["start"], critique["end"]) == (str(d.critique.start), str(d.critique.end))
    assert critique["marks"] == "2" and critique["score"] == "3"
    assert critique["author"] == "Lena Ortiz" and critique["role"] == "student"
    assert critique["pinned"] == "true" and critique["locked"] == "true"
    assert critique["created"] == d.critique.created.isoformat()
    assert critique["updated"] == d.critique.updated.isoformat() and critique["edited"] == ""
    nested = by_id[d.nested.pk]
    assert (nested["thread"], nested["parent"]) == (str(d.critique.pk), str(d.first.pk))
    # Threads are contiguous: the critique, then its replies.
    order = [int(r["id"]) for r in rows]
    assert order.index(d.first.pk) == order.index(d.critique.pk) + 1
    assert by_id[d.question.pk]["anchor status"] == "orphaned"
    reader = next(r for r in rows if r["author"] == "Reader 1")
    assert (reader["created"], reader["role"]) == ("2014-02-11T12:00:00+00:00", "imported")


def test_commas_quotes_newlines_and_unicode_survive(discussion):
    d = discussion
    rows = parse(export(Scope(d.seminar, reading=d.reading)))
    critique = next(r for r in rows if int(r["id"]) == d.critique.pk)
    assert critique["text"] == d.critique.text  # quotes, a comma, a newline
    assert "\n" in critique["text"] and '"Timing",' in critique["text"]
    connection = next(r for r in rows if int(r["id"]) == d.connection.pk)
    assert connection["text"].endswith("— naïve? 🙂")


def test_cells_cannot_run_as_formulas(discussion, student):
    d = discussion
    for n, text in enumerate(FORMULAS):
        Annotation.objects.create(
            reading=d.reading, kind="comment", author=student, text=text, html="", tags=[text]
        )
        Annotation.objects.create(
            reading=d.reading, kind="comment", author=None, author_name=text, text=f"n{n}"
        )
    rows = parse(export(Scope(d.seminar, reading=d.reading)))
    cells = [cell for row in rows for cell in row.values()]
    for text in FORMULAS:
        assert "'" + text in cells  # shown as text by Excel, LibreOffice and Google Sheets
        assert text not in cells


def test_excel_gets_a_byte_order_mark_and_utf8(discussion):
    d = discussion
    data = export(Scope(d.seminar, Options(pseudonyms=True), reading=d.reading), excel=True)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = parse(data, bom=True)
    assert rows and "Lena Ortiz" not in data.decode("utf-8")
