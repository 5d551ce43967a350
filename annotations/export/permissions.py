"""Who may take a discussion away as an archive (docs/exports.md)."""

from seminar.permissions import can_teach, can_view_seminar


def can_export(user, seminar) -> bool:
    """Instructors and TAs export a reading or the seminar: they see every post, hidden
    ones marked."""
    return can_teach(user, seminar)


def can_export_own(user, seminar) -> bool:
    """Any member may take their own posts with them."""
    return can_view_seminar(user, seminar)
