"""Each person's Notifications page (the list, opening one, marking them all read), their
Email settings, and the unsubscribe link of every email, which works logged out.

What is listed and what each shows is decided in services.py (`listed_notifications`,
`present`, `link`): the page shows nothing of a post its reader may not see now."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.signing import BadSignature
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from annotations.notifications.forms import EmailSettingsForm
from annotations.notifications.preferences import (
    DIGEST,
    TOPICS,
    cadences,
    preferences_set,
    topics_for,
    unsubscribe,
)
from annotations.notifications.services import RELATED, link, listed_notifications, present
from annotations.notifications.unsubscribe import read_unsubscribe_token
from seminar.models import User


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


@login_required
def email_settings(request):
    topics = topics_for(request.user)
    chosen = cadences([request.user.pk])[request.user.pk]
    form = EmailSettingsForm(request.POST or None, topics=topics, chosen=chosen)
    if request.method == "POST" and form.is_valid():
        preferences_set(user=request.user, chosen=form.cleaned_data)
        messages.success(request, "Email settings saved.")
        return redirect("email_settings")
    return render(
        request,
        "annotations/notifications/email_settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# A mail client's one-click unsubscribe (RFC 8058) is a POST from the mail provider, with no
# session and no CSRF token. The signed token is the credential, and the view can only turn
# one kind of email off for the person it names: nothing a forged request could abuse.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_unsubscribe(request, token):
    try:
        user_id, topic = read_unsubscribe_token(token)
    except BadSignature:
        user = None
    else:
        user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not (topic in TOPICS or topic == DIGEST):
        return render(request, "annotations/notifications/unsubscribe_broken.html", status=400)
    context = {"topic": topic, "topic_label": TOPICS[topic].label if topic in TOPICS else ""}
    if request.method == "GET":
        # Only a confirmation: link checkers and mail scanners open links, and must not
        # unsubscribe anyone.
        return render(request, "annotations/notifications/unsubscribe.html", context)
    turned_off = unsubscribe(user=user, topic=topic)
    context["turned_off"] = [TOPICS[key].label for key in turned_off]
    return render(request, "annotations/notifications/unsubscribe_done.html", context)
