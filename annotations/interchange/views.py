"""Importing annotations onto a reading: the staff page (instructors only) and its report."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from annotations.interchange.formats import MAX_BYTES, too_large
from annotations.interchange.forms import ImportForm
from annotations.interchange.services import annotations_import
from seminar.access import access_staff_reading
from seminar.errors import ServiceError
from seminar.permissions import can_edit_reading

SESSION_KEY = "annotations_import_report"


@login_required
def import_annotations(request, slug, reading_slug):
    reading = access_staff_reading(request.user, slug, reading_slug, allowed=can_edit_reading)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_BYTES:
                    raise ServiceError(too_large())
                report = annotations_import(
                    reading=reading,
                    actor=request.user,
                    data=upload.read(),
                    visibility=form.cleaned_data["visibility"],
                )
            except ServiceError as exc:
                form.add_error("file", f"Nothing was imported. {exc}")
            else:
                # Post, redirect, get: a reload shows the report and imports nothing again.
                request.session[SESSION_KEY] = {
                    "reading": reading.pk,
                    "skipped_lines": report.skipped_lines(),
                    **report.as_dict(),
                }
                return redirect("import_annotations", slug, reading_slug)
        status = 400
    report = None
    if request.method == "GET":
        report = request.session.pop(SESSION_KEY, None)
        if report and report.get("reading") != reading.pk:
            report = None
    context = {"form": form, "seminar": reading.seminar, "reading": reading, "report": report}
    return render(request, "annotations/interchange/import.html", context, status=status)
