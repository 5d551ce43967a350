"""Annotations: everything people write about a reading.

One model holds page-level comments (the numbered discussion under a post), critiques of a
passage and replies, so that threads, marks, moderation, grading and exports treat them
alike. Imported reader comments of an old class blog have no user: `author_name` credits
them ("Reader 1").
"""

from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from annotations.choices import (  # noqa: F401 (the schema's words, imported from here too)
    CONCEALED,
    CONTENT_FIELDS,
    PASSAGE_KINDS,
    AnchorStatus,
    Kind,
    Resolution,
    Status,
    Visibility,
)
from seminar.models import STAFF_ROLES, Reading, ReadingRevision


def under_concealed():
    """The ids of every post below a hidden or waiting post, at any depth.

    One recursive query inside the caller's, so a list costs the same whatever the depth and
    nothing has to be kept in step when a post is hidden, held, edited or answered. It starts
    from the few concealed posts (a partial index holds just those) and walks down `parent`.
    """
    table = Annotation._meta.db_table
    # Literal constants, not parameters: SQLite matches a partial index only on literals.
    concealed = f"h.status IN ({', '.join(repr(str(status)) for status in CONCEALED)})"
    # Each step down looks only in the threads that hold a concealed post: without that,
    # PostgreSQL hashed the whole table at every step (32 of 36 ms at 100,000 posts).
    threads = (
        f"SELECT h.thread_id FROM {table} h WHERE {concealed} AND h.thread_id IS NOT NULL "  # noqa: S608
        f"UNION SELECT h.id FROM {table} h WHERE {concealed} AND h.thread_id IS NULL"
    )
    sql = (
        f"WITH RECURSIVE below(id) AS ("  # noqa: S608 (a table name and our own constants)
        f"SELECT c.id FROM {table} h JOIN {table} c ON c.parent_id = h.id WHERE {concealed} "
        f"UNION SELECT c.id FROM below JOIN {table} c ON c.parent_id = below.id "
        f"WHERE c.thread_id IN ({threads})"
        f") SELECT id FROM below"
    )
    return RawSQL(sql, ())  # noqa: S611


def _kept():  # not a deleted post without replies (one with replies stays, a tombstone)
    return ~(Q(status=Status.DELETED) & Q(has_replies=False))


def _to_peers(visibility):  # published (or a tombstone), nothing above it concealed
    shown = Q(status=Status.PUBLISHED) | (Q(status=Status.DELETED) & Q(has_replies=True))
    return shown & ~Q(pk__in=under_concealed()) & visibility


def _audience(teaching):  # what all of a reading's staff, or all of its students, see
    if teaching:
        return ~Q(visibility=Visibility.PRIVATE) & _kept()
    return _to_peers(Q(visibility=Visibility.SEMINAR))


class AnnotationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What `user` may see, on readings they can see: their own posts; published posts for
        the seminar; posts for instructors where they teach or in a thread they started.
        Deleted posts that still have replies are kept as tombstones. A concealed post above
        one's own reply stays out of this set: lists show a placeholder for it
        (presenting.Presenter.present_all), never the post (annotations/permissions.py)."""
        if not user.is_authenticated:
            return self.none()
        readings = Reading.objects.visible_to(user).values("pk")
        teaching = Reading.objects.filter(
            seminar__memberships__user=user, seminar__memberships__role__in=STAFF_ROLES
        ).values("pk")
        # Hiding (or holding for approval) a post hides all that hangs under it from peers.
        instructors_thread = Q(visibility=Visibility.INSTRUCTORS) & (
            # A thread `user` started, as a semi-join on their own posts: joining every
            # post's thread cost a pass over the whole table.
            Q(reading__in=teaching)
            | Q(thread__in=Annotation.objects.filter(author=user).values("pk"))
        )
        # Where classmates' posts are held back for `user`, and where the reading is discussed
        # in groups, not all of them (annotations/peers).
        from annotations.peers import rules

        peers = (
            _to_peers(Q(visibility=Visibility.SEMINAR) | instructors_thread)
            & (~Q(reading__in=rules.readings_held_back(user)) | rules.shown_while_held(user))
            & (~Q(reading__in=rules.readings_in_groups(user)) | rules.shown_in_groups(user))
        )
        # Staff see hidden and waiting posts too (marked as such), never private notes.
        staff = Q(reading__in=teaching) & _audience(teaching=True)
        own = Q(author=user) & _kept()
        return self.filter(reading__in=readings).with_replies().filter(own | peers | staff)

    # `visible_to(user)` on one reading they may see, as facts of each post for the list
    # (annotations/listing): whether all of an audience (`teaching` it or not) sees it
    # (`to_all`), else its author (`to_author`) or whoever started its thread (`to_starter`).
    def seen_by_audience(self, *, teaching):
        never = Q(pk=None)
        started = never if teaching else _to_peers(Q(visibility=Visibility.INSTRUCTORS))
        fact = partial(models.ExpressionWrapper, output_field=models.BooleanField())
        return self.with_replies().annotate(
            to_all=fact(_audience(teaching)), to_author=fact(_kept()), to_starter=fact(started)
        )

    def with_replies(self):  # a deleted post with replies stays, to keep the thread's shape
        return self.alias(
            has_replies=models.Exists(Annotation.objects.filter(parent=models.OuterRef("pk")))
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
    pinned = models.BooleanField(default=False, help_text="Shown first, with a badge.")
    locked = models.BooleanField(default=False, help_text="No new replies in this thread.")
    moderation_reason = models.CharField(
        max_length=300, blank=True, help_text="Why it was hidden; its author sees this."
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    edited = models.DateTimeField(
        null=True, blank=True, help_text="When the author last edited it."
    )
    # A question's state, null on other kinds, and a reply staff endorsed as its answer
    # (annotations/questions).
    resolution = models.CharField(  # noqa: DJ001 (null: not a question)
        max_length=12, choices=Resolution.choices, null=True, blank=True
    )
    resolution_note = models.CharField(max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    endorsed = models.BooleanField(default=False)
    # Who the text names with "@[member:<membership id>]" (annotations/mentions.py).
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            models.Index(fields=["reading", "kind", "created"]),
            models.Index(fields=["reading", "created"]),
            # Just the hidden and waiting posts: where `under_concealed` starts its walk.
            models.Index(
                fields=["parent"],
                condition=Q(status__in=CONCEALED),
                name="annotation_concealed",
            ),
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


class FlagReason(models.TextChoices):
    OFF_TOPIC = "off_topic", "Off topic"
    DISRESPECTFUL = "disrespectful", "Disrespectful"
    SPAM = "spam", "Spam"
    OTHER = "other", "Other"


class Flag(models.Model):
    """A student's report of a post to the moderators: one per person per post."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    note = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    dismissed = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["annotation", "user"], name="one_flag_per_person")
        ]
        ordering = ["-created"]

    def __str__(self):
        return f"{self.get_reason_display()} flag on {self.annotation_id} by {self.user}"


class Action(models.TextChoices):
    HIDE = "hide", "Hid"
    UNHIDE = "unhide", "Restored"
    DELETE = "delete", "Deleted"
    LOCK = "lock", "Locked"
    UNLOCK = "unlock", "Unlocked"
    PIN = "pin", "Pinned"
    UNPIN = "unpin", "Unpinned"
    APPROVE = "approve", "Approved"
    DISMISS = "dismiss", "Dismissed the flags on"


class AppendOnlyQuerySet(models.QuerySet):
    """The audit log is written once and never changed, whatever code asks."""

    def update(self, **kwargs):
        raise PermissionError("The moderation log is append-only.")

    def delete(self):
        raise PermissionError("The moderation log is append-only.")


class ModerationEvent(models.Model):
    """One moderation action, on the record: who, what, on what, when, why."""

    seminar = models.ForeignKey(
        "seminar.Seminar", on_delete=models.PROTECT, related_name="moderation_events"
    )
    annotation = models.ForeignKey(
        Annotation, on_delete=models.PROTECT, related_name="moderation_events"
    )
    # PROTECT: a moderator's account is deactivated, never deleted, so "who" cannot be erased
    # or rewritten through the user table. Null only for rows restored without their person.
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who acted, as they were named when they did: the record reads the same after a rename.
    moderator_name = models.CharField(max_length=150, blank=True)
    moderator_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.CharField(max_length=300, blank=True)
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    created = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.who} {self.get_action_display().lower()} {self.annotation_id}"

    def save(self, *args, **kwargs):
        # Append-only: a second save would rewrite history.
        if self.pk is not None:
            raise PermissionError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The moderation log is append-only.")

    @property
    def who(self):
        """The moderator's name as recorded; rows restored from an archive may lack it."""
        if self.moderator_name:
            return self.moderator_name
        return self.moderator.name if self.moderator_id else "Former member"


class NotificationKind(models.TextChoices):
    REPLY = "reply", "replied to your post"
    HIDDEN = "hidden", "hid your post"
    RESTORED = "restored", "restored your post"
    APPROVED = "approved", "approved your post"
    PINNED = "pinned", "pinned your post"
    FLAGGED = "flagged", "flagged a post"
    GRADES = "grades", "released grades"
    MENTION = "mention", "mentioned you"
    ANSWERED = "answered", "marked your question answered"
    ADDRESSED = "addressed", "marked your question addressed in class"
    QUESTION_CLOSED = "question_closed", "closed a question you took part in"
    REMINDER = "reminder", "reminded you to join a discussion"


class Notification(models.Model):
    """Something a person should hear about: their posts, a flag for a moderator, released
    grades. Shown in-app (and emailed)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    annotation = models.ForeignKey(
        Annotation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        help_text="The post the notification is about (for a reply: the reply; for a flag: "
        "the flagged post). Empty for released grades.",
    )
    reading = models.ForeignKey(
        Reading,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="For released grades: the reading whose grades they are.",
    )
    # Who did it, named as the recipient may see them (notifications/services.py).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who replied, flagged, moderated or released the grades.",
    )
    reason = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "read"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(annotation__isnull=False) | Q(reading__isnull=False),
                name="notification_is_about_something",
            )
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()}"


DEFAULT_DESCRIPTORS = [
    "Missing the point or off topic",
    "Restates the text",
    "Engages the text with evidence",
    "Advances the discussion",
]


class GradingPolicy(models.Model):
    """How a seminar turns rubric scores into a suggested grade, stated so it can be explained."""

    seminar = models.OneToOneField(
        "seminar.Seminar", on_delete=models.CASCADE, related_name="grading_policy"
    )
    score_max = models.PositiveSmallIntegerField(
        default=3, help_text="Rubric scale: 0 to this number."
    )
    descriptors = models.JSONField(
        default=list, blank=True, help_text="One short description per score, from 0 up."
    )
    best_n = models.PositiveSmallIntegerField(
        default=3, help_text="How many of a student's best scored posts count for a reading."
    )
    late_penalty = models.PositiveSmallIntegerField(
        default=25, help_text="Percent taken off a post written after the due date (and grace)."
    )
    grace_minutes = models.PositiveIntegerField(
        default=0, help_text="Minutes after the due date that still count as on time."
    )
    count_hidden = models.BooleanField(
        default=False,
        help_text="Whether a post hidden by a moderator counts towards the grade. Graders see "
        "and may score it either way; not counted, it shows as “hidden, not counted”.",
    )

    def __str__(self):
        return f"Grading policy of {self.seminar}"


class Score(models.Model):
    """A rubric score for one post, with an optional comment to its author."""

    annotation = models.OneToOneField(Annotation, on_delete=models.CASCADE, related_name="score")
    value = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.value} for {self.annotation_id}"


class Grade(models.Model):
    """The instructor's final word on a student's participation in one reading."""

    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="grades")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grades"
    )
    final = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Overrides the suggested grade (0–100). Blank: use the suggestion.",
    )
    feedback = models.TextField(blank=True)
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reading", "student"], name="one_grade_per_reading")
        ]

    def __str__(self):
        return f"{self.student} on {self.reading}: {self.final}"


class GradeRelease(models.Model):
    """A reading whose grades and feedback students may now see."""

    reading = models.OneToOneField(Reading, on_delete=models.CASCADE, related_name="release")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Grades of {self.reading} released"


# Seminar archives built in the background (annotations/export/jobs.py runs them).
STALE_AFTER = timedelta(hours=1)


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """One seminar archive being built, or built: who asked, with what options, how far."""

    seminar = models.ForeignKey(
        "seminar.Seminar", on_delete=models.CASCADE, related_name="export_jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "annotations"
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"Export {self.pk} of {self.seminar} ({self.status})"

    @property
    def is_done(self):
        return self.status == JobStatus.DONE

    @property
    def is_stale(self):
        working = self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
        return working and timezone.now() - self.updated > STALE_AFTER

    def download_url(self):
        return reverse(
            "seminar_export_download", kwargs={"slug": self.seminar.slug, "job_id": self.pk}
        )

    def filename(self):
        return Path(self.file_path).name if self.file_path else ""


# What grade passback sent to the LMS (annotations/passbackmodels.py).
from annotations.passbackmodels import LmsScore  # noqa: E402, F401
