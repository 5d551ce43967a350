"""Seminar archives built in the background, with progress, for seminars too big to wait on.

Starting an export (`export_job_start`) saves an `ExportJob` and, once that is committed,
runs it in a daemon thread of the web process: the archive is written to a file under
EXPORT_ROOT (setting; default BASE_DIR/var/exports), progress (0-100) is saved at most once a
second, and the page polls `GET /api/exports/{id}`. The file is downloaded through a
permission-checked view, never from a public URL. A job whose process died stays "running";
the export page says so after STALE_AFTER without progress.

The model lives here, beside the code that runs it; annotations/models.py imports it so that
Django finds it.
"""

import logging
import secrets
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections, models, transaction
from django.urls import reverse
from django.utils import timezone

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=1)


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """One seminar archive being built, or built: who asked, with what options, how far."""

    seminar = models.ForeignKey(
        "seminar.Seminar", on_delete=models.CASCADE, related_name="export_jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "annotations"
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"Export {self.pk} of {self.seminar} ({self.status})"

    @property
    def is_done(self):
        return self.status == JobStatus.DONE

    @property
    def is_stale(self):
        working = self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
        return working and timezone.now() - self.updated > STALE_AFTER

    def download_url(self):
        return reverse(
            "seminar_export_download", kwargs={"slug": self.seminar.slug, "job_id": self.pk}
        )

    def filename(self):
        return Path(self.file_path).name if self.file_path else ""


def export_root():
    return Path(getattr(settings, "EXPORT_ROOT", None) or settings.BASE_DIR / "var" / "exports")


class Progress:
    """Counts work done and saves the percentage now and then (not on every row)."""

    def __init__(self, job_id, *, annotations, readings, every=1.0):
        self.job_id = job_id
        # data.json reads each annotation once, and each reading's four formats read its
        # annotations again: weigh the work by annotation rows.
        self.total = max(1, annotations * 5 + readings)
        self.done = 0
        self.readings = readings
        self.annotations = annotations
        self.every = every
        self.saved_at = 0.0

    def tick(self, n=1):
        self.done += n
        self._save()

    def reading_done(self):
        share = (self.annotations * 4) / max(1, self.readings)
        self.done += share + 1
        self._save()

    def percent(self):
        return min(99, int(100 * self.done / self.total))

    def _save(self, *, force=False):
        now = time.monotonic()
        if force or now - self.saved_at >= self.every:
            self.saved_at = now
            ExportJob.objects.filter(pk=self.job_id).update(
                progress=self.percent(), updated=timezone.now()
            )


@transaction.atomic
def export_job_start(*, seminar, user, options):
    """Save a queued job and start it in the background once the job is committed."""
    job = ExportJob.objects.create(seminar=seminar, requested_by=user, options=options.as_dict())
    transaction.on_commit(lambda: launch(job.pk))
    return job


def launch(job_id):
    thread = threading.Thread(target=run, args=(job_id,), name=f"export-{job_id}", daemon=True)
    thread.start()
    return thread


def run(job_id):
    """Build the archive of one job; never raises (a failure is saved on the job)."""
    from . import archive
    from .snapshot import Options, Scope

    path = None
    try:
        job = ExportJob.objects.select_related("seminar").get(pk=job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=JobStatus.RUNNING, progress=0, updated=timezone.now()
        )
        scope = Scope(job.seminar, Options.from_dict(job.options))
        progress = Progress(job_id, annotations=scope.count(), readings=len(scope.readings))
        root = export_root()
        root.mkdir(parents=True, exist_ok=True)
        exported = timezone.now()
        name = archive.filename(job.seminar, exported)
        # An unguessable name as well as a permission check: belt and braces.
        path = root / f"{job_id}-{secrets.token_hex(8)}-{name}"
        partial = path.with_suffix(".part")
        with partial.open("wb") as out:
            for chunk in archive.stream(scope, exported=exported, progress=progress):
                out.write(chunk)
        partial.replace(path)
        ExportJob.objects.filter(pk=job_id).update(
            status=JobStatus.DONE,
            progress=100,
            file_path=str(path),
            finished=timezone.now(),
            updated=timezone.now(),
        )
    except Exception as exc:
        logger.exception("Export job %s failed", job_id)
        if path is not None:
            path.with_suffix(".part").unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            error=f"The archive could not be built: {exc}",
            finished=timezone.now(),
            updated=timezone.now(),
        )
    finally:
        # This thread's connection is its own: close it, or it lingers until the server dies.
        if threading.current_thread() is not threading.main_thread():
            connections.close_all()


from . import admin as _admin  # noqa: E402,F401  (registers ExportJob in the admin)
