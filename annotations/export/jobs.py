"""Seminar archives built in the background, with progress, for seminars too big to wait on.

Starting an export (`export_job_start`) saves an `ExportJob` and, once that is committed,
enqueues the `build_archive` task (tasks.py), which the worker runs (`manage.py worker`):
nothing runs in the web process, so a deploy or a recycled web worker loses nothing. The
archive is written to a file under EXPORT_ROOT (setting; default BASE_DIR/var/exports),
progress (0-100) is saved at most once a second, and the page polls `GET /api/exports/{id}`.
The file is downloaded through a permission-checked view, never from a public URL. A job
whose task fails, or whose worker is stopped or dies, is marked failed and can be retried
(`export_job_retry`); one last heard of STALE_AFTER ago (a worker on a host gone for good)
says so on the export page.

Archives are kept EXPORT_RETENTION_DAYS (setting; default 7, None keeps them for ever):
`export_jobs_prune` deletes older jobs with their files, and stray files of ours (a build
cut short, a job deleted in the admin). It runs when a job starts and from
`manage.py prune_exports`.

The `ExportJob` model is in annotations/models.py with the app's other models (a model here
made models.py import this package, and this package import models back: a cycle).
"""

import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from annotations.export import archive
from annotations.export.snapshot import Options, Scope
from annotations.models import ExportJob, JobStatus
from seminar.errors import Conflict
from seminar.models import Seminar, User

logger = logging.getLogger(__name__)

RETENTION_DAYS = 7
# What `run` names its files: "<job id>-<16 hex digits>-<name>.zip", or ".part" while written.
OUR_FILE = re.compile(r"\d+-[0-9a-f]{16}-.+\.(zip|part)")


def export_root() -> Path:
    return Path(getattr(settings, "EXPORT_ROOT", None) or settings.BASE_DIR / "var" / "exports")


class Progress:
    """Counts work done and saves the percentage now and then (not on every row)."""

    def __init__(self, job_id: int, *, annotations: int, readings: int, every: float = 1.0) -> None:
        self.job_id = job_id
        # data.json reads each annotation once, and each reading's four formats read its
        # annotations again: weigh the work by annotation rows.
        self.total = max(1, annotations * 5 + readings)
        self.done: float = 0
        self.readings = readings
        self.annotations = annotations
        self.every = every
        self.saved_at: float | None = None  # the first tick saves

    def tick(self, n: int = 1) -> None:
        self.done += n
        self._save()

    def reading_done(self) -> None:
        share = (self.annotations * 4) / max(1, self.readings)
        self.done += share + 1
        self._save()

    def percent(self) -> int:
        return min(99, int(100 * self.done / self.total))

    def _save(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or self.saved_at is None or now - self.saved_at >= self.every:
            self.saved_at = now
            ExportJob.objects.filter(pk=self.job_id).update(
                progress=self.percent(), updated=timezone.now()
            )


@transaction.atomic
def export_job_start(*, seminar: Seminar, user: User, options: Options) -> ExportJob:
    """Save a queued job and start it in the background once the job is committed."""
    job = ExportJob.objects.create(seminar=seminar, requested_by=user, options=options.as_dict())
    transaction.on_commit(lambda: launch(job.pk))
    return job


def launch(job_id: int) -> None:
    from annotations.export.tasks import build_archive  # the task calls run(): import late

    build_archive.enqueue(job_id)


@transaction.atomic
def export_job_retry(*, job: ExportJob) -> ExportJob:
    """Queue a failed job again, with its options, from the start."""
    locked = ExportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != JobStatus.FAILED and not locked.is_stale:
        raise Conflict(
            f"Only a failed or stalled export can be retried; this one is {locked.status}."
        )
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED, progress=0, error="", finished=None, updated=timezone.now()
    )
    transaction.on_commit(lambda: launch(job.pk))
    locked.refresh_from_db()
    return locked


def retention() -> timedelta | None:
    """How long archives are kept (EXPORT_RETENTION_DAYS), or None: for ever."""
    days = getattr(settings, "EXPORT_RETENTION_DAYS", RETENTION_DAYS)
    return None if days is None else timedelta(days=days)


@dataclass
class Pruned:
    jobs: int = 0
    files: int = 0
    bytes: int = 0


def _unlink(path: Path, pruned: Pruned, *, dry_run: bool) -> None:
    try:
        size = path.stat().st_size
        if not dry_run:
            path.unlink()
    except OSError:
        return  # gone already, or not ours to delete: the next prune tries again
    pruned.files += 1
    pruned.bytes += size


def export_jobs_prune(*, older_than: timedelta | None = None, dry_run: bool = False) -> Pruned:
    """Delete export jobs (any status) finished, or last heard of, more than `older_than`
    ago (default: the retention setting) with their files, then files of ours under
    EXPORT_ROOT that no job names and that are as old. Returns what went (or would go)."""
    older_than = retention() if older_than is None else older_than
    pruned = Pruned()
    if older_than is None:
        return pruned
    cutoff = timezone.now() - older_than
    old = ExportJob.objects.filter(
        Q(finished__lt=cutoff) | Q(finished__isnull=True, updated__lt=cutoff)
    )
    ids = []
    for job_id, file_path in old.values_list("pk", "file_path"):
        if file_path:
            _unlink(Path(file_path), pruned, dry_run=dry_run)
        ids.append(job_id)
    pruned.jobs = len(ids)
    if ids and not dry_run:
        ExportJob.objects.filter(pk__in=ids).delete()
    root = export_root()
    if root.is_dir():
        named = {
            Path(p).name
            for p in ExportJob.objects.exclude(file_path="").values_list("file_path", flat=True)
        }
        for path in root.iterdir():
            if not OUR_FILE.fullmatch(path.name) or path.name in named:
                continue
            try:
                old_enough = path.is_file() and path.stat().st_mtime < cutoff.timestamp()
            except OSError:  # deleted meanwhile, by another prune
                continue
            if old_enough:
                _unlink(path, pruned, dry_run=dry_run)
    return pruned


def _prune_quietly() -> None:
    try:
        export_jobs_prune()
    except Exception:  # pruning must never cost a user their archive
        logger.exception("Pruning old exports failed")


def run(job_id: int) -> None:
    """Build the archive of one job; never raises (a failure is saved on the job). Old
    archives are pruned first."""
    _prune_quietly()
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
    except BaseException:
        # The worker told to stop mid-build: no half-written file stays, and the task's end
        # marks the job failed (tasks.on_task_finished).
        if path is not None:
            path.with_suffix(".part").unlink(missing_ok=True)
        raise
