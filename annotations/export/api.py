"""Export endpoints of the JSON API (docs/exports.md): downloads, and background archives.

`GET /api/readings/{id}/export?format=csv|jsonld|html|md` and `GET /api/seminars/{id}/export`
stream the same files as the export page; `POST /api/seminars/{id}/exports` starts a
background archive and `GET /api/exports/{id}` reports its progress (the page polls it).
Instructors and TAs only; anyone else gets 404, students too (seminar.access: a staff page).
"""

import datetime
from typing import Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from annotations.export import archive
from annotations.export.downloads import download, site_url, stream_format
from annotations.export.jobs import export_job_start
from annotations.export.permissions import can_export
from annotations.export.snapshot import Options, Scope
from annotations.models import ExportJob
from seminar.api import access_reading_api, access_seminar_api

router = Router(tags=["exports"])


class ExportOptionsIn(Schema):
    include_hidden: bool = False
    pseudonyms: bool = False


class JobOut(Schema):
    id: int
    seminar: int
    status: str
    progress: int
    error: str
    stale: bool
    created: datetime.datetime
    finished: datetime.datetime | None
    download: str | None


def job_out(job):
    return {
        "id": job.pk,
        "seminar": job.seminar_id,
        "status": job.status,
        "progress": job.progress,
        "error": job.error,
        "stale": job.is_stale,
        "created": job.created,
        "finished": job.finished,
        "download": job.download_url() if job.is_done else None,
    }


def _options(request, include_hidden, pseudonyms):
    return Options(include_hidden=include_hidden, pseudonyms=pseudonyms, base_url=site_url(request))


@router.get("/readings/{reading_id}/export")
def export_reading(
    request,
    reading_id: int,
    format: Literal["csv", "jsonld", "html", "md"] = "csv",
    include_hidden: bool = False,
    pseudonyms: bool = False,
    excel: bool = False,
):
    reading = access_reading_api(request.user, reading_id)
    if not can_export(request.user, reading.seminar):
        raise Http404
    scope = Scope(reading.seminar, _options(request, include_hidden, pseudonyms), reading=reading)
    name = f"{reading.seminar.slug}-{reading.slug}.{format}"
    return download(stream_format(scope, format, excel=excel), fmt=format, filename=name)


@router.get("/seminars/{seminar_id}/export")
def export_seminar(
    request, seminar_id: int, include_hidden: bool = False, pseudonyms: bool = False
):
    seminar = access_seminar_api(request.user, seminar_id)
    if not can_export(request.user, seminar):
        raise Http404
    scope = Scope(seminar, _options(request, include_hidden, pseudonyms))
    return download(archive.stream(scope), fmt="zip", filename=archive.filename(seminar))


@router.post("/seminars/{seminar_id}/exports", response={202: JobOut})
def start_export(request, seminar_id: int, payload: ExportOptionsIn):
    seminar = access_seminar_api(request.user, seminar_id)
    if not can_export(request.user, seminar):
        raise Http404
    options = _options(request, payload.include_hidden, payload.pseudonyms)
    job = export_job_start(seminar=seminar, user=request.user, options=options)
    return Status(202, job_out(job))


@router.get("/exports/{job_id}", response=JobOut)
def get_export(request, job_id: int):
    job = get_object_or_404(ExportJob.objects.select_related("seminar"), pk=job_id)
    if not can_export(request.user, job.seminar):
        raise Http404
    return job_out(job)
