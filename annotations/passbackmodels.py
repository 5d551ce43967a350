"""What was sent to the LMS's gradebook: one `LmsScore` per student and reading.

Grade passback (annotations.grading.passback) posts each student's final grade for a
reading to the line item the reading is linked to (LTI Assignment and Grade Services 2.0),
and records here what it sent, when it last succeeded, how many tries it took and the
last error, which the gradebook shows in its LMS line. A row is a record of sending, not a
grade: the grade itself is annotations.models.Grade (or the suggestion), and stays there.

annotations/models.py imports this module (the app's schema is at its size limit there).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class LmsScore(models.Model):
    reading = models.ForeignKey("seminar.Reading", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    line_item_url = models.URLField(max_length=500)
    score_given = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    score_maximum = models.PositiveIntegerField(default=100)
    activity_progress = models.CharField(max_length=20, blank=True)
    grading_progress = models.CharField(max_length=20, blank=True)
    sent = models.DateTimeField(null=True, blank=True, help_text="When the LMS last took it.")
    error = models.TextField(blank=True, help_text="Why the last try failed; blank if it did not.")
    attempts = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "annotations"
        constraints = [
            models.UniqueConstraint(fields=["reading", "student"], name="one_lms_score_per_student")
        ]

    def __str__(self):
        return f"{self.student} on {self.reading}: {self.score_given}/{self.score_maximum}"

    @property
    def ok(self):
        return self.sent is not None and not self.error
