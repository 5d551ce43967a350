"""The background worker: who it is, and what it does with tasks a dead worker held.

Tasks go through Django's Tasks framework (the `django-tasks` backport on Django 5.2) and, by
default, its database backend (`django-tasks-db`): `manage.py worker` runs them, beside the
web server (`make run` starts both) or as its own service (docs/deployment.md).

A worker that is killed (SIGKILL, a power cut, the OOM killer) leaves the task it was running
"running" for ever: nobody will finish it. So a worker is named after its host and process
(`<host>:<pid>`), and on starting, a worker reaps such tasks of its own host whose process is
gone: each is marked failed with `WorkerLost`, and `task_finished` is sent for it as the
worker would have, so whoever waits on the task (an export job) learns it failed. A task
held by a worker on another host is left to that host's next worker.
"""

from __future__ import annotations

import os
import socket

from django.db import transaction


class WorkerLost(Exception):
    """The worker running a task died before it ended."""


def worker_id(*, pid: int | None = None) -> str:
    host = socket.gethostname()[:50]
    return f"{host}:{os.getpid() if pid is None else pid}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _lost(worker_ids: list[str]) -> bool:
    """Whether the last worker to claim a task was a process of this host that is gone."""
    if not worker_ids:
        return False
    host, _, pid = worker_ids[-1].rpartition(":")
    if host != socket.gethostname()[:50] or not pid.isdigit():
        return False
    return int(pid) != os.getpid() and not _alive(int(pid))


def reap_lost_tasks() -> int:
    """Mark failed the running tasks whose worker on this host died. Returns how many."""
    from django_tasks.signals import task_finished
    from django_tasks_db.models import DBTaskResult

    reaped = 0
    for result in DBTaskResult.objects.running().only("id", "worker_ids"):
        if not _lost(result.worker_ids):
            continue
        with transaction.atomic():
            locked = DBTaskResult.objects.select_for_update().get(pk=result.pk)
            if locked.status != result.status:
                continue  # finished meanwhile
            lost = WorkerLost(f"The worker {locked.worker_ids[-1]} stopped while running this.")
            locked.set_failed(lost)
        reaped += 1
        task = locked.task
        task_finished.send(sender=type(task.get_backend()), task_result=locked.task_result)
    return reaped
