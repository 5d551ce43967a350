"""Export pages and downloads (docs/exports.md).

Instructors and TAs export a reading (CSV, JSON-LD, HTML archive, Markdown), the seminar's
annotations (CSV, JSON-LD) or the whole seminar as a ZIP: straight away as a stream, or
built in the background with progress. Any member exports their own posts. Options come in
the query string (`include_hidden=1`, `pseudonyms=1`, `excel=1` for CSV). Every download
streams; a seminar archive built in the background is served only through
`export_download`, after the same permission check.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from annotations.export import archive
from annotations.export.downloads import (
    LIST_FORMATS,
    READING_FORMATS,
    download,
    site_url,
    stream_format,
)
from annotations.export.jobs import export_job_retry, export_job_start
from annotations.export.permissions import can_export, can_export_own
from annotations.export.snapshot import Options, Scope
from annotations.models import ExportJob, JobStatus
from seminar.access import access_seminar, access_staff_reading, access_staff_seminar
from seminar.errors import Conflict


def options_from(request, query=None):
    return Options.from_query(query or request.GET, base_url=site_url(request))


def _excel(request):
    return request.GET.get("excel") == "1"


@login_required
def export_page(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_export)
    options = options_from(request)
    query = urlencode({k: "1" for k in ("include_hidden", "pseudonyms") if getattr(options, k)})
    context = {
        "seminar": seminar,
        "readings": Scope(seminar, options).readings,
        "options": options,
        "query": query,
        "jobs": ExportJob.objects.filter(seminar=seminar).select_related("seminar", "requested_by")[
            :10
        ],
    }
    return render(request, "annotations/export.html", context)


@login_required
@require_POST
def export_start(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_export)
    options = options_from(request, request.POST)
    export_job_start(seminar=seminar, user=request.user, options=options)
    messages.success(request, "The archive is being built. This page shows its progress.")
    return redirect("seminar_export", slug=seminar.slug)


@login_required
@require_POST
def export_retry(request, slug, job_id):
    seminar = access_staff_seminar(request.user, slug, allowed=can_export)
    job = get_object_or_404(ExportJob, seminar=seminar, pk=job_id)
    try:
        export_job_retry(job=job)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The archive is being built again.")
    return redirect("seminar_export", slug=seminar.slug)


@login_required
def export_download(request, slug, job_id):
    seminar = access_staff_seminar(request.user, slug, allowed=can_export)
    job = get_object_or_404(ExportJob, pk=job_id, seminar=seminar, status=JobStatus.DONE)
    try:
        file = open(job.file_path, "rb")  # noqa: SIM115 - FileResponse closes it
    except OSError as exc:
        raise Http404("The archive file is gone; build a new one.") from exc
    response = FileResponse(
        file, as_attachment=True, filename=archive.filename(seminar, job.created)
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def seminar_archive(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_export)
    scope = Scope(seminar, options_from(request))
    return download(archive.stream(scope), fmt="zip", filename=archive.filename(seminar))


@login_required
def seminar_annotations(request, slug, fmt):
    seminar = access_staff_seminar(request.user, slug, allowed=can_export)
    if fmt not in LIST_FORMATS:
        raise Http404
    scope = Scope(seminar, options_from(request))
    chunks = stream_format(scope, fmt, excel=_excel(request))
    return download(chunks, fmt=fmt, filename=f"{seminar.slug}-annotations.{fmt}")


@login_required
def reading_export(request, slug, reading_slug, fmt):
    reading = access_staff_reading(
        request.user, slug, reading_slug, allowed=lambda u, r: can_export(u, r.seminar)
    )
    if fmt not in READING_FORMATS:
        raise Http404
    scope = Scope(reading.seminar, options_from(request), reading=reading)
    chunks = stream_format(scope, fmt, excel=_excel(request))
    name = f"{reading.seminar.slug}-{reading.slug}" + (
        "-annotations" if fmt in LIST_FORMATS else ""
    )
    return download(chunks, fmt=fmt, filename=f"{name}.{fmt}")


@login_required
def my_export_page(request, slug):
    seminar = access_seminar(request.user, slug, allowed=can_export_own)
    count = Scope(seminar, owner=request.user).count()
    return render(request, "annotations/export_mine.html", {"seminar": seminar, "count": count})


@login_required
def my_export(request, slug, fmt):
    seminar = access_seminar(request.user, slug, allowed=can_export_own)
    if fmt not in LIST_FORMATS:
        raise Http404
    scope = Scope(seminar, Options(base_url=site_url(request)), owner=request.user)
    chunks = stream_format(scope, fmt, excel=_excel(request))
    return download(chunks, fmt=fmt, filename=f"{seminar.slug}-my-posts.{fmt}")
