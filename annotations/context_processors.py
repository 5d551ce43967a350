"""Template context for every page: what awaits the person (the unread notification count in
the navigation bar, the open items behind a seminar's Moderation links) and whether people
may erase their own account (SEMINAR_SELF_ERASURE)."""

from django.conf import settings

from annotations.agenda.services import open_items, unread_notifications


class OpenItems:
    """Open moderation items of a seminar, counted on first use and kept for the request
    (agenda.open_items): the navigation bar, the page's own Moderation button and the key of
    a kept page cost one query between them."""

    def __init__(self, user):
        self.user = user

    def of(self, seminar):
        """The count, or None when the person does not moderate the seminar."""
        return open_items(self.user, seminar)


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    # Counted lazily: pages that do not show the bar (API, redirects) pay nothing.
    # The unread ones of the same list the Notifications page shows; none to count (one
    # lookup on an index) for whoever has read them all.
    return {
        "unread_notifications": lambda: unread_notifications(user),
        "moderation_open": OpenItems(user),
        "self_erasure": settings.SEMINAR_SELF_ERASURE,
    }
