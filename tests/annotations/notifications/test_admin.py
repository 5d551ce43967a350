"""Site admins see the task queue, each notification with the emails it earned, and every
delivery (read-only: the worker writes them)."""

from django.urls import reverse

from annotations.models import Notification
from annotations.notifications.models import EmailDelivery
from annotations.services import reply_create


def test_admins_see_the_task_queue_the_notifications_and_their_emails(
    admin_client, django_capture_on_commit_callbacks, student, student2, comment
):
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(parent=comment, author=student2, text="Not quite.")
    note = Notification.objects.get(user=student)
    delivery = EmailDelivery.objects.get()
    queue = admin_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    assert queue.status_code == 200
    page = admin_client.get(reverse("admin:annotations_notification_change", args=[note.pk]))
    assert page.status_code == 200 and "Sent" in page.text
    listed = admin_client.get(reverse("admin:annotations_emaildelivery_changelist")).text
    assert "Lena Ortiz" in listed and "Sent" in listed
    change = reverse("admin:annotations_emaildelivery_change", args=[delivery.pk])
    assert admin_client.get(change).status_code == 200  # to read
    assert admin_client.post(change, {"status": "queued"}).status_code == 403
    assert admin_client.get(reverse("admin:annotations_emaildelivery_add")).status_code == 403
