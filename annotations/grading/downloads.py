"""Grades as CSV for an LMS gradebook: Canvas or Moodle (column mapping in docs/grading.md)."""

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse

from annotations.grading import display, gradebook
from annotations.grading.views import access_grading
from annotations.spreadsheets import stream_csv

LMS = ("canvas", "moodle")


def canvas_rows(students, readings, cells):
    # Canvas: Student, ID, SIS User ID, SIS Login ID, Section, then "Title (points)" columns;
    # a "Points Possible" row tells Canvas each column is out of 100. The username goes in
    # SIS Login ID only: SIS User ID is the institution's student number, and a username
    # that happened to equal someone's number would put the grade on the wrong student.
    # No unit in these headers: Canvas names the assignment after the header and matches a
    # later import by it, so "(out of 100)" would make a new assignment; the unit is in the
    # "Points Possible" row, which is where Canvas reads it.
    yield [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        *[f"{r.title} (Seminar {r.pk})" for r in readings],
    ]
    yield ["Points Possible", "", "", "", "", *[100 for _ in readings]]
    for s in students:
        yield [
            s.name,
            "",
            "",
            s.username,
            "",
            *[_grade(cells[(r.pk, s.pk)]) for r in readings],
        ]


def moodle_rows(students, readings, cells):
    # Moodle's CSV grade import maps "Email address" to the user, and each grade column
    # (and its feedback column) to a grade item chosen during import, by hand: the header is
    # only read by the person mapping it, so it can say what the grade is out of.
    header = ["First name", "Last name", "Email address", "ID number"]
    for r in readings:
        header += [display.grade_header(r.title), f"{r.title} (feedback)"]
    yield header
    for s in students:
        first, _, last = (s.display_name or s.username).partition(" ")
        row = [first, last, s.email, s.username]
        for r in readings:
            cell = cells[(r.pk, s.pk)]
            row += [_grade(cell), _feedback(cell)]
        yield row


def _grade(cell):
    return "" if cell.final is None else round(cell.final, 1)


def _feedback(cell):
    # A hidden post left out of the grade is said in words, so an empty grade is not read
    # as work never done. Canvas has no such column (any other column becomes an assignment),
    # so there the grade is simply empty, as for nothing to grade.
    return "\n".join(part for part in (cell.feedback, cell.hidden_note) if part)


@login_required
def export(request, slug):
    seminar = access_grading(request.user, slug)
    lms = request.GET.get("lms", "canvas")
    if lms not in LMS:
        lms = "canvas"
    students, readings, cells = gradebook.build(seminar)
    rows = (canvas_rows if lms == "canvas" else moodle_rows)(students, readings, cells)
    response = StreamingHttpResponse(
        stream_csv(rows, excel=request.GET.get("excel") == "1"),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{seminar.slug}-grades-{lms}.csv"'
    return response
