"""Who sees insight: the teaching staff of the seminar, instructors and TAs alike. Everyone
else is told nothing (a 404), students included."""

from seminar.permissions import can_teach


def can_see_insight(user, seminar) -> bool:
    """The heat map, Before class and the activity page are the staff's."""
    return can_teach(user, seminar)


def can_remind(user, seminar) -> bool:
    """Reminding those who have not posted yet: the staff who see who they are."""
    return can_teach(user, seminar)
