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


PASSAGE_KINDS = (Kind.CRITIQUE, Kind.QUESTION, Kind.EVIDENCE, Kind.CONNECTION, Kind.NOTE)


class AnchorStatus(models.TextChoices):
    ANCHORED = "anchored", "Anchored"
    MOVED = "moved", "Moved"
    ORPHANED = "orphaned", "No longer in the text"


class AnnotationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What `user` may see, on readings they can see: their own posts; published posts for
        the seminar; posts for instructors where they teach or in a thread they started.
        Deleted posts that still have replies are kept as tombstones."""
        if not user.is_authenticated:
            return self.none()
        readings = Reading.objects.visible_to(user).values("pk")
        teaching = Reading.objects.filter(
            seminar__memberships__user=user, seminar__memberships__role__in=STAFF_ROLES
        ).values("pk")
        # A deleted post stays as a tombstone while it has replies, to keep the thread's shape.
        has_replies = models.Exists(Annotation.objects.filter(parent=models.OuterRef("pk")))
        shown = Q(status=Status.PUBLISHED) | (Q(status=Status.DELETED) & Q(has_replies=True))
        instructors_thread = Q(visibility=Visibility.INSTRUCTORS) & (
            Q(reading__in=teaching) | Q(thread__author=user)
        )
        return (
            self.filter(reading__in=readings)
            .alias(has_replies=has_replies)
            .filter(
                (Q(author=user) & ~Q(status=Status.DELETED))
                | (shown & (Q(visibility=Visibility.SEMINAR) | instructors_thread | Q(author=user)))
            )
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
    thread = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="thread_posts",
        help_text="The top of the thread; empty on the top post itself.",
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
    # The passage, for kinds on a passage: W3C TextQuoteSelector and TextPositionSelector
    # (code points) against `anchored_revision`.
    quote_exact = models.TextField(blank=True)
    original_quote = models.TextField(
        blank=True, help_text="The words as they were when this was written."
    )
    quote_prefix = models.CharField(max_length=200, blank=True)
    quote_suffix = models.CharField(max_length=200, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    anchored_revision = models.ForeignKey(
        ReadingRevision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The revision the selectors point into.",
    )
    # Null, not "", for posts without a passage: the API's documented value (DESIGN.md).
    anchor_status = models.CharField(  # noqa: DJ001
        max_length=20, choices=AnchorStatus.choices, null=True, blank=True
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    edited = models.DateTimeField(
        null=True, blank=True, help_text="When the author last edited it."
    )

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            models.Index(fields=["reading", "kind", "created"]),
            models.Index(fields=["reading", "created"]),
        ]
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

    @property
    def has_passage(self):
        return self.start is not None

    @property
    def thread_root_id(self):
        return self.thread_id or self.pk


class Vote(models.Model):
    """A "helpful" mark: one per person per annotation."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["annotation", "user"], name="one_vote_per_person")
        ]

    def __str__(self):
        return f"{self.user} found {self.annotation_id} helpful"
