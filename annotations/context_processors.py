"""Template context for every page: the unread notification count in the navigation bar."""

from annotations.models import Annotation, Notification


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    # Counted lazily: pages that do not show the bar (API, redirects) pay nothing.
    def unread():
        return Notification.objects.filter(
            user=user, read__isnull=True, annotation__in=Annotation.objects.visible_to(user)
        ).count()

    return {"unread_notifications": unread}
