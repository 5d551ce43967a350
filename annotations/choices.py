"""The words of the annotation schema: kinds, visibilities, states and the content columns.

Apart from annotations/models.py (which imports them all, so `annotations.models.Kind` still
works) because that file is at its size limit, and because they are plain data.
"""

from django.db import models


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


class Resolution(models.TextChoices):
    """Where a question stands (annotations/questions): null on every other kind."""

    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    ADDRESSED = "addressed", "Addressed in class"


PASSAGE_KINDS = (Kind.CRITIQUE, Kind.QUESTION, Kind.EVIDENCE, Kind.CONNECTION, Kind.NOTE)


# Statuses that keep a post, and what hangs under it, from peers.
CONCEALED = (Status.HIDDEN, Status.PENDING)


# What a post says and where it stands: the columns every shape of an annotation row carries
# (the API's rows in presenting.py, the archive's data.json, the export formats' rows), each
# adding only its own keys (ids, joins, counts). One list, so a new column reaches them all.
CONTENT_FIELDS = (
    "kind",
    "author_name",
    "text",
    "html",
    "tags",
    "visibility",
    "status",
    "quote_exact",
    "original_quote",
    "quote_prefix",
    "quote_suffix",
    "start",
    "end",
    "anchor_status",
    "pinned",
    "locked",
    "moderation_reason",
    "created",
    "updated",
    "edited",
    # A question's state and a reply's endorsement (annotations/questions); `resolved_by`
    # is a person, so each shape names them its own way.
    "resolution",
    "resolution_note",
    "resolved_at",
    "endorsed",
)


class AnchorStatus(models.TextChoices):
    ANCHORED = "anchored", "Anchored"
    MOVED = "moved", "Moved"
    ORPHANED = "orphaned", "No longer in the text"
