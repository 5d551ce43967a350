"""Export jobs as tasks: enqueued when the job is committed, failed visibly when the task
ends without building, retried from the export page. (The real worker process:
tests/seminar/test_worker.py.)"""

import pytest
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished

from annotations.export import jobs, tasks
from annotations.export.snapshot import Options
from annotations.models import ExportJob, JobStatus


@pytest.fixture
def exports(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path
    return tmp_path


def test_starting_an_export_enqueues_its_task_once_the_job_is_saved(
    discussion, instructor, exports, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.export_job_start(seminar=discussion.seminar, user=instructor, options=Options())
    assert ExportJob.objects.get(pk=job.pk).status == JobStatus.QUEUED  # nothing ran yet
    for callback in callbacks:
        callback()  # the commit: the immediate backend runs the task now
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.file_path.startswith(str(exports))


def test_a_task_for_a_deleted_job_ends_quietly(db):
    assert tasks.build_archive.call(987654) is None


class Ended:
    """What the worker reports when a task ends without returning: stopped, or reaped."""

    def __init__(self, job_id, *, path=tasks.build_archive.module_path):
        self.task = type("T", (), {"module_path": path})()
        self.id, self.backend, self.args, self.kwargs = "t-1", "default", [job_id], {}
        self.status = TaskResultStatus.FAILED
        self.errors = [type("E", (), {"exception_class_path": "seminar.worker.WorkerLost"})()]


def test_a_task_that_ends_without_building_fails_its_job_with_the_reason(discussion, instructor):
    job = ExportJob.objects.create(
        seminar=discussion.seminar, requested_by=instructor, status=JobStatus.RUNNING
    )
    done = ExportJob.objects.create(
        seminar=discussion.seminar, requested_by=instructor, status=JobStatus.DONE
    )
    task_finished.send(sender=None, task_result=Ended(job.pk))
    task_finished.send(sender=None, task_result=Ended(done.pk))
    task_finished.send(sender=None, task_result=Ended(job.pk, path="elsewhere.task"))
    job.refresh_from_db()
    done.refresh_from_db()
    assert job.status == JobStatus.FAILED and "(WorkerLost). Retry it." in job.error
    assert job.finished is not None
    assert done.status == JobStatus.DONE  # a finished job keeps its archive


def test_a_failed_export_is_retried_from_the_export_page(
    client, discussion, instructor, student, exports, django_capture_on_commit_callbacks
):
    job = ExportJob.objects.create(
        seminar=discussion.seminar,
        requested_by=instructor,
        status=JobStatus.FAILED,
        error="The worker stopped before the archive was built (WorkerLost). Retry it.",
    )
    slug = discussion.seminar.slug
    retry = reverse("seminar_export_retry", args=[slug, job.pk])
    client.force_login(student)
    assert client.post(retry).status_code == 404
    client.force_login(instructor)
    page = client.get(reverse("seminar_export", args=[slug])).text
    assert retry in page and "Retry it." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.error, job.progress) == (JobStatus.DONE, "", 100)
    # A built archive is not built again.
    response = client.post(retry, follow=True)
    assert "Only a failed or stalled export can be retried" in response.text
