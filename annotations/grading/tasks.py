"""The grading tasks, on the "default" queue (seminar/worker.py runs them).

`send_grades_to_lms` posts one reading's scores to its LMS line item (passback.py); it
returns "sent", "retrying" (a later attempt is queued), "failed" or "skipped".
"""

from django_tasks import task


@task()
def send_grades_to_lms(reading_id: int, attempt: int = 1) -> str:
    from annotations.grading import passback  # passback enqueues this: import it late

    return passback.grades_send(reading_id=reading_id, attempt=attempt)
