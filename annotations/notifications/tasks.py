"""The email tasks, on the "email" queue (seminar/worker.py runs them).

Each returns what became of it: "sent", "retrying", "failed" or "skipped" (its notification
or post is gone, or no longer the recipient's to see).
"""

from django_tasks import task


@task(queue_name="email")
def send_notification_email(delivery_id: int, attempt: int = 1) -> str:
    from annotations.notifications import sending  # sending enqueues these: import it late

    return sending.notification_send(delivery_id=delivery_id, attempt=attempt)


@task(queue_name="email")
def send_digest_email(user_id: int, attempt: int = 1) -> str:
    from annotations.notifications import sending

    return sending.digest_send(user_id=user_id, attempt=attempt)
