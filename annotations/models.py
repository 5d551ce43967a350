"""Annotations: everything people write about a reading.

One model holds page-level comments (the numbered discussion under a post), critiques of a
passage and replies, so that threads, marks, moderation, grading and exports treat them
alike. Imported reader comments of an old class blog have no user: `author_name` credits
them ("Reader 1").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from seminar.models import STAFF_ROLES, Reading, ReadingRevision


class Kind(models.TextChoices):
    CRITIQUE = "critique", "Critique"
    QUESTION = "question", "Question"
    EVIDENCE = "evidence", "Evidence"
    CONNECTION = "connection", "Connection"
    NOTE = "note", "Note"
    COMMENT = "comment", "Comment"
    REPLY = "reply", "Reply"


class Visibility(models.TextChoices):
    SEMINAR = "seminar", "Everyone in the seminar"
    INSTRUCTORS = "instructors", "Instructors and TAs"
    PRIVATE = "private", "Only me"


class Status(models.TextChoices):
    PUBLISHED = "published", "Published"
    PENDING = "pending", "Awaiting approval"
    HIDDEN = "hidden", "Hidden"
    DELETED = "deleted", "Deleted"


class AnnotationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What `user` may see: published seminar posts on readings they can see, their own
        posts, and posts for instructors where they teach. Hidden and pending posts are
        left to the moderation issue; deleted ones are tombstones shown by the thread view."""
        if not user.is_authenticated:
            return self.none()
        readings = Reading.objects.visible_to(user).values("pk")
        teaching = Reading.objects.filter(
            seminar__memberships__user=user, seminar__memberships__role__in=STAFF_ROLES
        ).values("pk")
        return self.filter(reading__in=readings).filter(
            Q(author=user)
            | Q(visibility=Visibility.SEMINAR, status=Status.PUBLISHED)
            | Q(visibility=Visibility.INSTRUCTORS, status=Status.PUBLISHED, reading__in=teaching)
        )

    def page_comments(self):
        return self.filter(kind=Kind.COMMENT, parent__isnull=True)


class Annotation(models.Model):
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="annotations")
    revision = models.ForeignKey(
        ReadingRevision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The revision of the text this was written on.",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="annotations",
    )
    author_name = models.CharField(
        max_length=120, blank=True, help_text="Credit for imported posts that have no user."
    )
    text = models.TextField(help_text="Markdown as written.")
    html = models.TextField(help_text="Sanitized HTML rendered from text.")
    tags = models.JSONField(default=list, blank=True)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.SEMINAR
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    client_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["reading", "kind", "created"])]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=~Q(client_id=""),
                name="one_annotation_per_client_id",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.credit} on {self.reading}"

    def get_absolute_url(self):
        return f"{self.reading.get_absolute_url()}#annotation-{self.pk}"

    @property
    def credit(self):
        """The name shown for the author."""
        if self.author_id:
            return self.author.name
        return self.author_name or "Unknown"
