"""Readings with due dates, for the dashboard and the seminar page."""

import datetime

import pytest
from django.utils import timezone

from annotations.revisions.readings import parse_pasted, reading_import
from seminar.models import ReadingStatus


def add_reading(seminar, instructor, title, *, due_in=None, status=ReadingStatus.PUBLISHED):
    """A short published reading, due `due_in` (a timedelta from now) or undated."""
    parsed = parse_pasted(source=f"{title}\n\nA paragraph to read closely.", format="text")
    due = timezone.now() + due_in if due_in is not None else None
    return reading_import(
        seminar=seminar, creator=instructor, parsed=parsed, title=title, due=due, status=status
    )


@pytest.fixture
def week(seminar, instructor):
    """Four readings in the instructor's order: past due, undated, due in 5 days, tomorrow."""
    days = datetime.timedelta(days=1)
    return [
        add_reading(seminar, instructor, "Past", due_in=-2 * days),
        add_reading(seminar, instructor, "Undated"),
        add_reading(seminar, instructor, "Later", due_in=5 * days),
        add_reading(seminar, instructor, "Soon", due_in=days + datetime.timedelta(hours=1)),
    ]
