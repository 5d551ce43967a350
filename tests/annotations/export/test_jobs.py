"""Background archives: a job runs, reports progress, fails cleanly, runs in its own thread."""

import io
import os
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from annotations.export import archive, jobs
from annotations.export.jobs import Progress
from annotations.export.snapshot import Options
from annotations.models import ExportJob


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def new_job(seminar, user, **options):
    return ExportJob.objects.create(
        seminar=seminar, requested_by=user, options=Options(**options).as_dict()
    )


def test_a_job_writes_the_archive_and_finishes(discussion, instructor, export_root):
    job = new_job(discussion.seminar, instructor, include_hidden=True)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    assert job.finished is not None and job.is_done
    path = Path(job.file_path)
    assert path.parent == export_root and path.name.endswith(".zip")
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None and "manifest.json" in z.namelist()
    assert not list(export_root.glob("*.part"))


def test_a_failing_job_says_why_and_leaves_no_file(
    discussion, instructor, export_root, monkeypatch
):
    def broken(scope, **kwargs):
        yield b"PK"
        raise OSError("disk full")

    monkeypatch.setattr(archive, "stream", broken)
    job = new_job(discussion.seminar, instructor)
    jobs.run(job.pk)  # never raises
    job.refresh_from_db()
    assert job.status == "failed" and "disk full" in job.error
    assert list(export_root.iterdir()) == []


def test_progress_is_saved_now_and_then_and_reaches_100_only_when_done(seminar, instructor):
    job = new_job(seminar, instructor)
    progress = Progress(job.pk, annotations=100, readings=2, every=3600)
    progress.tick(51)  # the first tick saves: 51 of 502 units of work
    job.refresh_from_db()
    assert job.progress == 10
    for _ in range(49):
        progress.tick()
    progress.reading_done()
    progress.reading_done()
    assert progress.percent() == 99
    job.refresh_from_db()
    assert job.progress == 10  # not saved again within the hour


def test_progress_is_saved_once_the_interval_has_passed(seminar, instructor):
    job = new_job(seminar, instructor)
    progress = Progress(job.pk, annotations=100, readings=2, every=0)
    for _ in range(100):
        progress.tick()
    job.refresh_from_db()
    assert job.progress == 19  # 100 of 502
    progress.reading_done()
    progress.reading_done()
    job.refresh_from_db()
    assert job.progress == 99  # 100 only once the file is there


def test_a_job_that_stopped_moving_is_stale(seminar, instructor):
    job = new_job(seminar, instructor)
    assert not job.is_stale
    ExportJob.objects.filter(pk=job.pk).update(updated=timezone.now() - timedelta(hours=2))
    job.refresh_from_db()
    assert job.is_stale


@pytest.mark.django_db(transaction=True)
def test_a_started_job_runs_in_a_background_thread(export_root, django_user_model):
    from seminar.services import seminar_create

    owner = django_user_model.objects.create_user(username="okafor", password="x")
    seminar = seminar_create(title="Threads", creator=owner)
    job = jobs.export_job_start(seminar=seminar, user=owner, options=Options())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job.status == "done", job.error
    assert Path(job.file_path).is_file()


def finished_job(seminar, user, root, *, days_ago, name="archive.zip", status="done"):
    """A job that finished `days_ago` days ago, with its file (made as old)."""
    root.mkdir(parents=True, exist_ok=True)
    job = new_job(seminar, user)
    path = root / f"{job.pk}-{'ab' * 8}-{name}"
    path.write_bytes(b"PK" + b"x" * 1000)
    when = timezone.now() - timedelta(days=days_ago)
    os.utime(path, (when.timestamp(), when.timestamp()))
    ExportJob.objects.filter(pk=job.pk).update(
        status=status, file_path=str(path), finished=when, updated=when
    )
    return job, path


def test_old_archives_are_deleted_when_a_job_starts(seminar, instructor, export_root, settings):
    settings.EXPORT_RETENTION_DAYS = 7
    old, old_path = finished_job(seminar, instructor, export_root, days_ago=8)
    recent, recent_path = finished_job(seminar, instructor, export_root, days_ago=6)
    failed, _ = finished_job(seminar, instructor, export_root, days_ago=9, status="failed")
    dead = new_job(seminar, instructor)  # its process died mid-build, long ago
    ExportJob.objects.filter(pk=dead.pk).update(
        status="running", updated=timezone.now() - timedelta(days=30)
    )
    stray = export_root / f"999-{'cd' * 8}-cut-short.part"
    stray.write_bytes(b"PK")
    long_ago = (timezone.now() - timedelta(days=10)).timestamp()
    os.utime(stray, (long_ago, long_ago))
    not_ours = export_root / "notes.txt"
    not_ours.write_text("kept")
    os.utime(not_ours, (long_ago, long_ago))

    job = new_job(seminar, instructor)
    jobs.run(job.pk)

    assert set(ExportJob.objects.values_list("pk", flat=True)) == {recent.pk, job.pk}
    assert not old_path.exists() and not stray.exists()
    assert recent_path.exists() and not_ours.exists()
    job.refresh_from_db()
    assert job.status == "done" and Path(job.file_path).exists()


def test_retention_none_keeps_archives_for_ever(seminar, instructor, export_root, settings):
    settings.EXPORT_RETENTION_DAYS = None
    _job, path = finished_job(seminar, instructor, export_root, days_ago=400)
    assert jobs.export_jobs_prune() == jobs.Pruned()
    assert path.exists() and ExportJob.objects.count() == 1


def test_a_failed_prune_does_not_fail_the_job(discussion, instructor, export_root, monkeypatch):
    def broken(**kwargs):
        raise OSError("read-only file system")

    monkeypatch.setattr(jobs, "export_jobs_prune", broken)
    job = new_job(discussion.seminar, instructor)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done"


def prune(*args):
    out = io.StringIO()
    call_command("prune_exports", *args, stdout=out)
    return out.getvalue()


def test_the_prune_exports_command(seminar, instructor, export_root, settings):
    settings.EXPORT_RETENTION_DAYS = 7
    old, old_path = finished_job(seminar, instructor, export_root, days_ago=8)
    _recent, recent_path = finished_job(seminar, instructor, export_root, days_ago=2)

    assert "Would delete 1 export job and 1 file" in prune("--dry-run")
    assert old_path.exists() and ExportJob.objects.filter(pk=old.pk).exists()
    assert "Deleted 1 export job and 1 file (0.0 MB) older than 7 days" in prune()
    assert not old_path.exists() and not ExportJob.objects.filter(pk=old.pk).exists()
    assert recent_path.exists()
    assert "Deleted 1 export job and 1 file" in prune("--days", "1")
    assert not recent_path.exists() and not ExportJob.objects.exists()
    with pytest.raises(CommandError, match="cannot be negative"):
        prune("--days", "-1")
    settings.EXPORT_RETENTION_DAYS = None
    assert "kept for ever" in prune()
