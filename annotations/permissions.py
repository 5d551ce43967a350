"""Who may read and write annotations, as plain functions shared by pages, API and exports."""

from seminar.permissions import can_view_reading, role_in

from .models import Status, Visibility


def can_comment(user, reading):
    """Any member who can see the reading may join its discussion."""
    return can_view_reading(user, reading)


def can_view_annotation(user, annotation):
    if not can_view_reading(user, annotation.reading):
        return False
    if annotation.author_id and annotation.author_id == user.pk:
        return True
    if annotation.status != Status.PUBLISHED:
        return False
    if annotation.visibility == Visibility.SEMINAR:
        return True
    if annotation.visibility == Visibility.INSTRUCTORS:
        return role_in(user, annotation.reading.seminar) in ("instructor", "ta")
    return False
