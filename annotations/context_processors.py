"""Template context for every page: the unread notification count in the navigation bar, and
whether people may erase their own account (SEMINAR_SELF_ERASURE)."""

from django.conf import settings

from annotations.notifications.services import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    # Counted lazily: pages that do not show the bar (API, redirects) pay nothing.
    # The unread ones of the same list the Notifications page shows.
    def unread():
        return unread_count(user)

    return {"unread_notifications": unread, "self_erasure": settings.SEMINAR_SELF_ERASURE}
