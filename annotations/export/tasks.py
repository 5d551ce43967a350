"""The export job as a background task (seminar/worker.py runs them).

`build_archive` builds one job's archive (`jobs.run`, which saves a failure on the job).
Whatever ends the task without `run` saying so — the worker told to stop mid-build, or
killed and reaped by the next worker — reaches `on_task_finished`, which marks a job still
queued or running as failed, with the reason, so the export page offers to retry it.
"""

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.signals import task_finished

from annotations.models import ExportJob, JobStatus


@task()
def build_archive(job_id: int) -> None:
    from annotations.export import jobs  # jobs enqueues this task: import it late

    if not ExportJob.objects.filter(pk=job_id).exists():
        return  # deleted before its turn came: nothing to build
    jobs.run(job_id)


def _job_id(task_result) -> int | None:
    if task_result.task.module_path != build_archive.module_path:
        return None
    args = task_result.args or [task_result.kwargs.get("job_id")]
    return args[0]


def on_task_finished(sender, task_result, **kwargs) -> None:
    if task_result.status != TaskResultStatus.FAILED:
        return
    job_id = _job_id(task_result)
    if job_id is None:
        return
    errors = getattr(task_result, "errors", None) or []
    cause = errors[-1].exception_class_path.rpartition(".")[2] if errors else "an error"
    ExportJob.objects.filter(pk=job_id).filter(
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING)
    ).update(
        status=JobStatus.FAILED,
        error=f"The worker stopped before the archive was built ({cause}). Retry it.",
        finished=timezone.now(),
        updated=timezone.now(),
    )


task_finished.connect(on_task_finished, dispatch_uid="annotations.export.tasks")
