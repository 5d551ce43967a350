"""The seminar domain: people, seminars, roles and the readings an instructor hosts.

A Seminar is a class. Membership gives a user one role in it (instructor, TA or student).
A Reading is a hosted text; its words live in immutable ReadingRevisions, so that
annotations can always be traced to the exact text they were written on.
"""

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator


class User(AbstractUser):
    display_name = models.CharField(
        max_length=80,
        blank=True,
        help_text="How classmates see you. Leave blank to use your username.",
    )

    @property
    def name(self):
        return self.display_name or self.username

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    INSTRUCTOR = "instructor", "Instructor"
    TA = "ta", "Teaching assistant"
    STUDENT = "student", "Student"


STAFF_ROLES = (Role.INSTRUCTOR, Role.TA)


def new_join_code():
    # Unambiguous characters: a code is read aloud in class and typed on phones.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def new_invite_token():
    return secrets.token_urlsafe(24)


def new_salt():
    return secrets.token_hex(16)


class SeminarQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Seminar(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    term = models.CharField(max_length=100, blank=True, help_text="For example: Spring 2026")
    description = models.TextField(blank=True)
    join_code = models.CharField(max_length=12, unique=True, default=new_join_code)
    invite_token = models.CharField(max_length=64, unique=True, default=new_invite_token)
    anonymous_peers = models.BooleanField(
        default=False,
        verbose_name="Students see each other under pseudonyms",
        help_text="Instructors and TAs always see names. Pseudonyms stay the same all term.",
    )
    premoderation = models.BooleanField(
        default=False,
        verbose_name="Students' posts wait for approval",
        help_text="An instructor or TA approves each student post before others see it.",
    )
    tas_moderate = models.BooleanField(
        default=True,
        verbose_name="TAs can moderate",
        help_text="Let teaching assistants hide, approve, pin and lock posts.",
    )
    # Secret input to pseudonyms, so they cannot be worked out from user ids.
    pseudonym_salt = models.CharField(max_length=32, default=new_salt, editable=False)
    created_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = SeminarQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("seminar", kwargs={"slug": self.slug})

    def invite_path(self):
        return reverse("join_invite", kwargs={"token": self.invite_token})


class Group(models.Model):
    """A small group (a section) of a seminar: on a reading discussed in groups
    (`Reading.discussion`), a student sees and hears of their own group's posts only.
    A student is in at most one group of a seminar (`Membership.group`)."""

    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=80)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seminar", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["seminar", "name"], name="group_name_per_seminar")
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def by_role(self):
        """Instructors first, then TAs, then students; by username within each."""
        rank = models.Case(
            models.When(role=Role.INSTRUCTOR, then=0),
            models.When(role=Role.TA, then=1),
            default=2,
        )
        return self.alias(rank=rank).order_by("rank", "user__username")


class Membership(models.Model):
    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT)
    joined = models.DateTimeField(auto_now_add=True)
    # Stored when the student joins, so that nobody's pseudonym changes when a classmate with
    # the same one leaves (seminar.pseudonyms). Blank for staff who were never students.
    pseudonym = models.CharField(max_length=40, blank=True, editable=False)
    # Deleting a group leaves its members in none; their posts stay as they are.
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    # When the LMS's roster (seminar.lti.roster) last said they had left the course: a mark
    # for the instructor, never a removal (their posts and grades stay).
    left_lms = models.DateTimeField(null=True, blank=True, verbose_name="left the LMS course")

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seminar", "user"], name="one_membership_per_seminar"),
            models.UniqueConstraint(
                fields=["seminar", "pseudonym"],
                condition=~Q(pseudonym=""),
                name="one_pseudonym_per_seminar",
            ),
        ]
        ordering = ["seminar", "role", "user__username"]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) in {self.seminar}"

    @property
    def is_staff_role(self):
        return self.role in STAFF_ROLES


class ReadingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PeerVisibility(models.TextChoices):
    """When a student sees classmates' posts on a reading (annotations/peers/rules.py,
    `readings_held_back`): think first, then see what the class thought."""

    ALWAYS = "always", "Always"
    AFTER_POSTING = "after_posting", "After they annotate a passage themselves"
    AFTER_DUE = "after_due", "After the due date"


class Discussion(models.TextChoices):
    """Who a reading's discussion is among, for students (annotations/peers/rules.py)."""

    CLASS = "class", "The whole class"
    GROUPS = "groups", "Each group by itself"


class ReadingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published readings of the user's seminars, plus drafts where they teach."""
        if not user.is_authenticated:
            return self.none()
        # One filter() call so both conditions use the same membership row.
        return self.filter(
            Q(seminar__memberships__user=user)
            & (Q(status=ReadingStatus.PUBLISHED) | Q(seminar__memberships__role__in=STAFF_ROLES))
        )


class Reading(models.Model):
    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="readings")
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=80)
    byline = models.CharField(max_length=300, blank=True)
    date = models.DateField(null=True, blank=True, help_text="The date line of the post.")
    due = models.DateTimeField(null=True, blank=True, help_text="When discussion is due.")
    status = models.CharField(
        max_length=20, choices=ReadingStatus.choices, default=ReadingStatus.DRAFT
    )
    position = models.PositiveIntegerField(default=0)
    peer_visibility = models.CharField(
        max_length=20,
        choices=PeerVisibility.choices,
        default=PeerVisibility.ALWAYS,
        verbose_name="Students see classmates' posts",
        help_text="Instructors and TAs always see every post. Held back, a student sees "
        "their own posts and the staff's until then.",
    )
    discussion = models.CharField(
        max_length=20,
        choices=Discussion.choices,
        default=Discussion.CLASS,
        verbose_name="Discussion among",
        help_text="In groups, a student sees and hears of their own group's posts only "
        "(and the staff's); instructors and TAs see every group.",
    )
    current_revision = models.ForeignKey(
        "ReadingRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ReadingQuerySet.as_manager()

    class Meta:
        ordering = ["seminar", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["seminar", "slug"], name="reading_slug_per_seminar")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reading", kwargs={"slug": self.seminar.slug, "reading_slug": self.slug})

    @property
    def is_draft(self):
        return self.status == ReadingStatus.DRAFT


class ReadingVisit(models.Model):
    """When a person last opened a reading: what is "new" for them on their dashboard and
    the seminar page is what others wrote after it. One row per person per reading."""

    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="reading_visits")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="visits")
    seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "reading"], name="one_visit_per_reading")
        ]

    def __str__(self):
        return f"{self.user} saw {self.reading} at {self.seen:%Y-%m-%d %H:%M}"


class TextFormat(models.TextChoices):
    TEXT = "text", "Plain text"
    MARKDOWN = "markdown", "Markdown"
    HTML = "html", "HTML"


class ReadingRevision(models.Model):
    """One immutable version of a reading's text.

    `text` is exactly the textContent of the rendered body (`html`): annotation offsets
    count code points into it (DESIGN.md, anchoring contract).
    """

    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    format = models.CharField(max_length=20, choices=TextFormat.choices)
    source = models.TextField()
    html = models.TextField()
    text = models.TextField()
    works_cited = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reading", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["reading", "number"], name="revision_number_per_reading"
            )
        ]

    def __str__(self):
        return f"{self.reading} r{self.number}"


class ApiToken(models.Model):
    """A personal token for scripts: `Authorization: Bearer <token>` acts as its owner.

    Only a SHA-256 hash is stored; the token itself is shown once, when it is made.
    """

    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of {self.user}"


class ThrottleWindow(models.Model):
    """One limit's count for one identity in its current window (seminar.throttling): a row
    counted up by a single atomic upsert, shared by every worker. `ends` is a Unix time."""

    key = models.CharField(max_length=80, primary_key=True)
    count = models.PositiveIntegerField()
    ends = models.FloatField()

    def __str__(self):
        return f"{self.key}: {self.count}"


class AccessChange(models.Model):
    """A change to who sees what (a reading's peer visibility or discussion, a group, a
    student's group), on the record beside the moderation log: who, on what, from what to
    what, and what it did. Append-only: written once by the service that makes the change,
    made by `of`."""

    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="access_changes")
    reading = models.ForeignKey(
        Reading, null=True, blank=True, on_delete=models.CASCADE, related_name="access_changes"
    )
    actor = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # As they were named when they did it: the record reads the same after a rename.
    actor_name = models.CharField(max_length=150, blank=True)
    setting = models.CharField(max_length=40)
    before = models.CharField(max_length=40, blank=True)
    after = models.CharField(max_length=40, blank=True)
    effect = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.actor_name}: {self.setting} {self.before} -> {self.after}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The record of access changes is append-only.")
        super().save(*args, **kwargs)

    @classmethod
    def of(cls, *, seminar_id, actor, setting, before, after, effect, reading=None):
        """The record, not saved yet: named as the actor is now, a long value or effect
        shortened with "…" to what its column holds (the group keeps its full name)."""

        def short(text, name):
            return Truncator(text).chars(cls._meta.get_field(name).max_length)

        return cls(
            seminar_id=seminar_id,
            reading=reading,
            actor=actor,
            actor_name=actor.name,
            setting=setting,
            before=short(before, "before"),
            after=short(after, "after"),
            effect=short(effect, "effect"),
        )


# The LTI models (seminar/lti/models.py) belong to this app.
from seminar.lti.models import (  # noqa: E402, F401
    Deployment,
    LtiContext,
    LtiIdentity,
    LtiLaunchState,
    LtiResourceLink,
    Platform,
    ToolKey,
)
