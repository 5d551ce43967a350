"""How annotations look to one person: the JSON the API returns and the page script renders.

A `Presenter` is made once per request for one reading; it loads the seminar's roles and
pseudonyms in one query, so presenting 2,000 annotations costs no more queries than one.
Rows are plain dicts from `.values()`: building 2,000 model instances would cost more than
the query. Names are replaced by pseudonyms here, the one place every response passes through.
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery

from annotations.models import Annotation, Flag, Status, Vote
from annotations.permissions import can_moderate, sees_names
from seminar.models import STAFF_ROLES
from seminar.pseudonyms import people

FIELDS = (
    "id",
    "reading_id",
    "parent_id",
    "thread_id",
    "kind",
    "text",
    "html",
    "tags",
    "visibility",
    "status",
    "anchor_status",
    "author_id",
    "author_name",
    "author__display_name",
    "author__username",
    "created",
    "updated",
    "edited",
    "quote_exact",
    "quote_prefix",
    "quote_suffix",
    "start",
    "end",
    "anchored_revision_id",
    "revision_id",
    "original_quote",
    "pinned",
    "locked",
    "thread__locked",
    "moderation_reason",
)


def rows(queryset, user):
    """Dict rows with vote and open-flag counts and what `user` did, in one query."""
    votes = Vote.objects.filter(annotation=OuterRef("pk"))
    flags = Flag.objects.filter(annotation=OuterRef("pk"), dismissed__isnull=True)
    return queryset.annotate(
        vote_total=Subquery(
            votes.values("annotation").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        voted_by_me=Exists(votes.filter(user_id=user.pk)),
        open_flags=Subquery(
            flags.values("annotation").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        flagged_by_me=Exists(Flag.objects.filter(annotation=OuterRef("pk"), user_id=user.pk)),
    ).values(*FIELDS, "vote_total", "voted_by_me", "open_flags", "flagged_by_me")


def visible_rows(user, reading):
    queryset = Annotation.objects.visible_to(user).filter(reading=reading)
    return rows(queryset.order_by("created", "id"), user)


class Presenter:
    def __init__(self, user, reading, *, known_people=None):
        self.user = user
        self.reading = reading
        # Pass `known_people` (from seminar.pseudonyms.people) to present several readings
        # of one seminar without loading its members again.
        self.roles, self.pseudonyms = known_people or people(reading.seminar)
        self.names_visible = sees_names(user, reading.seminar)
        self.my_role = self.roles.get(user.pk)
        self.moderator = can_moderate(user, reading.seminar)
        self.url = reading.get_absolute_url()

    def author_of(self, annotation):
        """The same author dict, for a model instance (server-rendered lists)."""
        user = annotation.author
        return self.author(
            {
                "status": annotation.status,
                "author_id": annotation.author_id,
                "author_name": annotation.author_name,
                "author__display_name": user.display_name if user else "",
                "author__username": user.username if user else "",
            }
        )

    def author(self, a):
        deleted = a["status"] == Status.DELETED
        author_id = a["author_id"]
        if author_id is None:
            name = "" if deleted else a["author_name"] or "Unknown"
            # A reader comment imported with a class blog: credited by name, not a member.
            return {
                "name": name,
                "role": None,
                "is_me": False,
                "pseudonym": False,
                "imported": bool(a["author_name"]),
            }
        role = self.roles.get(author_id)
        is_me = author_id == self.user.pk
        hide = not (self.names_visible or is_me or role in STAFF_ROLES)
        if deleted:
            name = ""
        elif hide:
            name = self.pseudonyms.get(author_id, "Former member")
        else:
            name = a["author__display_name"] or a["author__username"]
        return {
            "name": name,
            "role": role,
            "is_me": is_me,
            "pseudonym": hide and not deleted,
            "imported": False,
        }

    def target(self, a):
        if a["start"] is None:
            return None
        return {
            "source": self.url,
            "revision": a["anchored_revision_id"],
            "written_on": a["revision_id"],
            "original_quote": a["original_quote"] or a["quote_exact"],
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": a["quote_exact"],
                    "prefix": a["quote_prefix"],
                    "suffix": a["quote_suffix"],
                },
                {"type": "TextPositionSelector", "start": a["start"], "end": a["end"]},
            ],
        }

    def present(self, a):
        deleted = a["status"] == Status.DELETED
        mine = a["author_id"] is not None and a["author_id"] == self.user.pk
        member = self.my_role is not None
        published = a["status"] == Status.PUBLISHED
        locked = bool(a["locked"] or a["thread__locked"])
        return {
            "id": a["id"],
            "reading": a["reading_id"],
            "parent": a["parent_id"],
            "thread": a["thread_id"] or a["id"],
            "kind": a["kind"],
            "text": "" if deleted else a["text"],
            "html": "" if deleted else a["html"],
            "tags": [] if deleted else a["tags"],
            "visibility": a["visibility"],
            "status": a["status"],
            "anchor_status": a["anchor_status"],
            "author": self.author(a),
            "created": a["created"],
            "updated": a["updated"],
            "edited": a["edited"] is not None,
            "deleted": deleted,
            "votes": a["vote_total"] or 0,
            "voted": bool(a["voted_by_me"]),
            "pinned": a["pinned"],
            "locked": locked,
            # Why it was hidden: for its author and the moderators only.
            "moderation_reason": a["moderation_reason"] if (mine or self.moderator) else "",
            "flags": (a["open_flags"] or 0) if self.moderator else 0,
            "flagged": bool(a["flagged_by_me"]),
            "can_edit": mine and not deleted and a["status"] != Status.HIDDEN,
            "can_delete": mine and not deleted,
            "can_reply": member and (published or mine) and not locked,
            "can_flag": member and published and not mine and not a["flagged_by_me"],
            "can_moderate": self.moderator and not deleted,
            # As permissions.can_reattach: the author, or an instructor for an orphan.
            "can_reattach": a["start"] is not None
            and not deleted
            and (mine or (self.my_role == "instructor" and a["anchor_status"] == "orphaned")),
            "target": self.target(a),
        }
