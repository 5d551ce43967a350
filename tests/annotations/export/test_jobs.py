"""Background archives: a job runs, reports progress, fails cleanly, runs in its own thread."""

import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from annotations.export import archive, jobs
from annotations.export.jobs import ExportJob, Progress
from annotations.export.snapshot import Options


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
    progress.tick()  # the first tick saves
    for _ in range(99):
        progress.tick()
    progress.reading_done()
    progress.reading_done()
    assert progress.percent() == 99
    job.refresh_from_db()
    assert job.progress == 0  # not saved again within the hour


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
