"""Each person's Notifications page: the list, opening one, and marking them all read.

What is listed and what each shows is decided in services.py (`listed_notifications`,
`present`, `link`): the page shows nothing of a post its reader may not see now."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from annotations.notifications.services import RELATED, link, listed_notifications, present


@login_required
def notifications(request):
    items = present(request.user, listed_notifications(request.user).select_related(*RELATED)[:100])
    return render(request, "annotations/notifications.html", {"items": items})


@login_required
def notification_open(request, pk):
    item = get_object_or_404(listed_notifications(request.user).select_related(*RELATED), pk=pk)
    if item.read is None:
        item.read = timezone.now()
        item.save(update_fields=["read"])
    return redirect(link(item))


@login_required
@require_POST
def notifications_read(request):
    listed_notifications(request.user).filter(read__isnull=True).update(read=timezone.now())
    return redirect("notifications")
