"""Template context for every page: what awaits the person (the unread notification count in
the navigation bar, the open items behind a seminar's Moderation links) and whether people
may erase their own account (SEMINAR_SELF_ERASURE)."""

from django.conf import settings

from annotations.agenda.services import any_unread
from annotations.moderation.services import open_item_counts
from annotations.notifications.services import unread_count


class OpenItems:
    """Open moderation items of a seminar, counted on first use and kept for the request:
    the navigation bar and the page's own Moderation button cost one query between them."""

    def __init__(self, user):
        self.user = user
        self.counts = {}

    def of(self, seminar):
        """The count, or None when the person does not moderate the seminar."""
        if seminar.pk not in self.counts:
            found = open_item_counts(moderator=self.user, seminars=[seminar])
            self.counts[seminar.pk] = found.get(seminar.pk)
        return self.counts[seminar.pk]


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    # Counted lazily: pages that do not show the bar (API, redirects) pay nothing.
    # The unread ones of the same list the Notifications page shows; none to count (one
    # lookup on an index) for whoever has read them all.
    def unread():
        return unread_count(user) if any_unread(user) else 0

    return {
        "unread_notifications": unread,
        "moderation_open": OpenItems(user),
        "self_erasure": settings.SEMINAR_SELF_ERASURE,
    }
