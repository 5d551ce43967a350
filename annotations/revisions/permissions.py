"""Who may see a reading's history. Changing its text is `seminar.permissions.can_edit_reading`
(instructors); moving a passage to new words is `annotations.permissions.can_reattach`."""

from seminar.permissions import can_teach


def can_teach_reading(user, reading) -> bool:
    """Instructors and TAs see a reading's history and its diffs."""
    return can_teach(user, reading.seminar)
