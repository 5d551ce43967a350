"""How annotations look to one person: the JSON the API returns and the page script renders.

A `Presenter` is made once per request for one reading; it loads the seminar's roles and
pseudonyms in one query, so presenting 2,000 annotations costs no more queries than one.
Rows are plain dicts from `.values()`: building 2,000 model instances would cost more than
the query. Names are replaced by pseudonyms here, the one place every response passes through.
What each person may do to a post (`can_*`) comes from the rules in annotations/permissions.py,
called on the row's facts; `present_all` adds the placeholders that keep a reply's author's
thread whole under a hidden parent.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value

from annotations.models import CONTENT_FIELDS, Annotation, Flag, Kind, Resolution, Status, Vote
from annotations.permissions import (
    can_moderate,
    is_concealed,
    post_may_be_deleted,
    post_may_be_edited,
    post_may_be_flagged,
    post_may_be_moderated,
    post_may_be_reattached,
    post_may_be_replied_to,
    question_may_be_resolved,
    reply_may_be_endorsed,
    sees_names,
    shown_as_pseudonym,
)
from annotations.rendering import fill_mentions, mention_text
from seminar.models import STAFF_ROLES, Membership
from seminar.pseudonyms import people

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from seminar.models import Reading, User

# A presented row: the post's content (models.CONTENT_FIELDS) with the ids and joins the
# presenter needs.
FIELDS = (
    "id",
    "reading_id",
    "parent_id",
    "thread_id",
    "author_id",
    "author__display_name",
    "author__username",
    "anchored_revision_id",
    "revision_id",
    "thread__locked",
    "thread__kind",
    "resolved_by_id",
    "resolved_by__display_name",
    "resolved_by__username",
    *CONTENT_FIELDS,
)

# What a placeholder needs of a post it stands for: its place, never what it says.
PLACE_FIELDS = (
    "id",
    "reading_id",
    "parent_id",
    "thread_id",
    "kind",
    "visibility",
    "status",
    "anchor_status",
    "anchored_revision_id",
    "revision_id",
    "quote_exact",
    "quote_prefix",
    "quote_suffix",
    "original_quote",
    "start",
    "end",
    "locked",
    "created",
    "updated",
)


# What `rows` adds to FIELDS.
COUNTS = ("vote_total", "voted_by_me", "open_flags", "flagged_by_me")


def rows(
    queryset: QuerySet[Annotation], user: User | None, *, also: tuple[str, ...] = ()
) -> QuerySet[Annotation, dict[str, Any]]:
    """Dict rows with vote and open-flag counts and what `user` did, in one query; `None`:
    no one's marks (the list's shared document, annotations/listing). `also`: more columns
    or annotations of `queryset`."""
    votes = Vote.objects.filter(annotation=OuterRef("pk"))
    flags = Flag.objects.filter(annotation=OuterRef("pk"), dismissed__isnull=True)
    nobody = Value(False, output_field=BooleanField())
    return queryset.annotate(
        vote_total=Subquery(
            votes.values("annotation").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        voted_by_me=Exists(votes.filter(user_id=user.pk)) if user else nobody,
        open_flags=Subquery(
            flags.values("annotation").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        flagged_by_me=(
            Exists(Flag.objects.filter(annotation=OuterRef("pk"), user_id=user.pk))
            if user
            else nobody
        ),
    ).values(*FIELDS, *COUNTS, *also)


def visible_rows(user: User, reading: Reading) -> QuerySet[Annotation, dict[str, Any]]:
    queryset = Annotation.objects.visible_to(user).filter(reading=reading)
    return rows(queryset.order_by("created", "id"), user)


def name_mentions(user: User, posts: Iterable[Annotation]) -> None:
    """Give each post of a server-rendered list (model instances, their `reading` loaded)
    `shown_html`: its HTML with mentions named as `user` may see them. One Presenter, so at
    most one query, per seminar."""
    presenters: dict[int, Presenter] = {}
    for post in posts:
        seminar_id = post.reading.seminar_id
        if seminar_id not in presenters:
            presenters[seminar_id] = Presenter(user, post.reading)
        post.shown_html = presenters[seminar_id].html(post.html)


class Presenter:
    def __init__(
        self,
        user: User,
        reading: Reading,
        *,
        known_people: tuple[dict[int, str], dict[int, str]] | None = None,
        known_members: list[tuple[int, int, str, str]] | None = None,
    ) -> None:
        self.user = user
        # Whose posts are "mine" (`is_me`, the author's rights): the user's, or nobody's
        # (`for_audience`).
        self.me = user.pk
        self.reading = reading
        # Pass `known_people` (from seminar.pseudonyms.people) to present several readings
        # of one seminar without loading its members again.
        self.roles, self.pseudonyms = known_people or people(reading.seminar)
        self.names_visible = sees_names(user, reading.seminar)
        self.my_role = self.roles.get(user.pk)
        self.moderator = can_moderate(user, reading.seminar)
        self.url = reading.get_absolute_url()
        if known_members is not None:  # `member_rows`, loaded already (annotations/listing)
            self.__dict__["member_rows"] = known_members

    def for_audience(self) -> Presenter:
        """This person's view of posts that are not theirs: what every member of their
        audience (the same role, the same rights in the seminar) sees of a post none of them
        wrote, marked or flagged. The shared part of the list (annotations/listing)."""
        other = copy.copy(self)
        other.me = None
        other.__dict__.pop("members", None)
        other.__dict__.pop("mention_names", None)
        return other

    def author_of(self, annotation: Annotation) -> dict[str, Any]:
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

    def author(self, a: dict[str, Any]) -> dict[str, Any]:
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
                "group": None,
            }
        role = self.roles.get(author_id)
        is_me = author_id == self.me
        hide = shown_as_pseudonym(names_visible=self.names_visible, is_me=is_me, role=role)
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
            "group": None if deleted else self.groups.get(author_id),
        }

    @cached_property
    def groups(self) -> dict[int, str]:
        """{user id: their group's name} for the staff (the margin's group filter), one
        query the first time; nothing for students, who see their own group's posts only
        where that matters (annotations/peers)."""
        if self.my_role not in STAFF_ROLES:
            return {}
        rows = Membership.objects.filter(seminar_id=self.reading.seminar_id, group__isnull=False)
        return dict(rows.values_list("user_id", "group__name"))

    @cached_property
    def members(self) -> list[dict[str, Any]]:
        """The seminar's members as this person may name them: {id (the membership's),
        user_id, role, name}, a name or a pseudonym by the same rule as authors. One query,
        made only when a post mentions someone or the composer asks."""
        return [
            {
                "id": pk,
                "user_id": user_id,
                "role": self.roles.get(user_id),
                "name": self.author(
                    {
                        "status": Status.PUBLISHED,
                        "author_id": user_id,
                        "author_name": "",
                        "author__display_name": display_name,
                        "author__username": username,
                    }
                )["name"],
            }
            for pk, user_id, display_name, username in self.member_rows
        ]

    @cached_property
    def member_rows(self) -> list[tuple[int, int, str, str]]:
        """(membership id, user id, display name, username) of each member, in one query."""
        rows = Membership.objects.filter(seminar_id=self.reading.seminar_id).values_list(
            "pk", "user_id", "user__display_name", "user__username"
        )
        return list(rows.order_by("pk"))

    @cached_property
    def mention_names(self) -> dict[int, str]:
        return {member["id"]: member["name"] for member in self.members}

    def html(self, html: str) -> str:
        """A post's stored HTML with its mentions named as this person may see them."""
        if 'class="mention"' not in html:
            return html
        return fill_mentions(html, self.mention_names)

    def plain(self, text: str) -> str:
        """A post's text with each mention as "@Name", named as this person may see them."""
        if "@[member:" not in text:
            return text
        return mention_text(text, self.mention_names)

    def target(self, a: dict[str, Any]) -> dict[str, Any] | None:
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

    def present(self, a: dict[str, Any]) -> dict[str, Any]:
        """One visible post, as the API shows it to this person."""
        return {
            **self._place(a),
            **self._content(a),
            "author": self.author(a),
            "votes": a["vote_total"] or 0,
            "voted": bool(a["voted_by_me"]),
            **self._moderation(a),
            **self._actions(a),
            "placeholder": False,
            "target": self.target(a),
        }

    def _place(self, a: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": a["id"],
            "reading": a["reading_id"],
            "parent": a["parent_id"],
            "thread": a["thread_id"] or a["id"],
            "kind": a["kind"],
            "visibility": a["visibility"],
            "status": a["status"],
            "anchor_status": a["anchor_status"],
            "created": a["created"],
            "updated": a["updated"],
            "pinned": a["pinned"],
            "locked": bool(a["locked"] or a.get("thread__locked")),
        }

    def _content(self, a: dict[str, Any]) -> dict[str, Any]:
        deleted = a["status"] == Status.DELETED
        return {
            "text": "" if deleted else a["text"],
            "html": "" if deleted else self.html(a["html"]),
            "tags": [] if deleted else a["tags"],
            "edited": a["edited"] is not None,
            "deleted": deleted,
            "resolution": None if deleted else self.resolution(a),
            "endorsed": a["endorsed"],
        }

    def resolution(self, a: dict[str, Any]) -> dict[str, Any] | None:
        """A question's state: {state, note, by (named as this person may see them), at}."""
        if a["kind"] != Kind.QUESTION:
            return None
        by, resolver = None, a["resolved_by_id"]
        if resolver is not None and resolver == a["author_id"]:
            by = self.author({**a, "status": Status.PUBLISHED})["name"]
        elif resolver is not None:
            # Named as to anyone of the viewer's audience, never as "me": staff resolve
            # others' questions, and a post someone only resolved is not theirs in the list's
            # shared document (annotations/listing) even if their role has changed since.
            role = self.roles.get(resolver)
            if shown_as_pseudonym(names_visible=self.names_visible, is_me=False, role=role):
                by = self.pseudonyms.get(resolver, "Former member")
            else:
                by = a["resolved_by__display_name"] or a["resolved_by__username"]
        return {
            "state": a["resolution"] or Resolution.OPEN,
            "note": a["resolution_note"],
            "by": by,
            "at": a["resolved_at"],
        }

    def _mine(self, a: dict[str, Any]) -> bool:
        return a["author_id"] is not None and a["author_id"] == self.me

    def _moderation(self, a: dict[str, Any]) -> dict[str, Any]:
        mine = self._mine(a)
        return {
            # Why it was hidden: for its author and the moderators only.
            "moderation_reason": a["moderation_reason"] if (mine or self.moderator) else "",
            "flags": (a["open_flags"] or 0) if self.moderator else 0,
            "flagged": bool(a["flagged_by_me"]),
        }

    def _actions(self, a: dict[str, Any]) -> dict[str, bool]:
        """The permissions.py rules, on this row's facts."""
        mine, status = self._mine(a), a["status"]
        member = self.my_role is not None
        teaches = self.my_role in STAFF_ROLES
        return {
            "can_edit": post_may_be_edited(mine=mine, status=status),
            "can_delete": post_may_be_deleted(mine=mine, status=status),
            "can_reply": post_may_be_replied_to(
                takes_part=member,
                mine=mine,
                status=status,
                locked=bool(a["locked"] or a["thread__locked"]),
            ),
            # Flagged once already: the button gives way to "Flagged".
            "can_flag": post_may_be_flagged(takes_part=member, mine=mine, status=status)
            and not a["flagged_by_me"],
            "can_moderate": post_may_be_moderated(moderator=self.moderator, status=status),
            "can_reattach": post_may_be_reattached(
                has_passage=a["start"] is not None,
                status=status,
                mine=mine,
                instructor=self.my_role == "instructor",
                orphaned=a["anchor_status"] == "orphaned",
            ),
            "can_resolve": question_may_be_resolved(
                question=a["kind"] == Kind.QUESTION, mine=mine, teaches=teaches, status=status
            ),
            "can_endorse": reply_may_be_endorsed(
                in_question=a["thread__kind"] == Kind.QUESTION, teaches=teaches, status=status
            ),
        }

    def present_all(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every visible post of the list, oldest first, with a placeholder for each post
        this person may not see that stands between one they may see and its thread's top
        (permissions.py: a reply's author keeps their reply under a hidden parent). One more
        query, and only when some parent is missing, whatever the depth."""
        items = [self.present(row) for row in rows]
        holders = self.placeholders(items, {item["id"] for item in items})
        if not holders:
            return items
        return sorted([*items, *holders], key=lambda i: (i["created"], i["id"]))

    def placeholders(
        self,
        items: list[dict[str, Any]],
        shown: set[int],
        places: dict[int, dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """The placeholders `items` need: one for each post not in `shown` (the ids the list
        holds, placeholders included) between an item and its thread's top. `places`: what
        `places` gave for their threads, if it was asked already."""
        below_missing = [i for i in items if i["parent"] and i["parent"] not in shown]
        if not below_missing:
            return []
        if places is None:
            places = self.places({item["thread"] for item in below_missing})
        holders = {}
        for item in below_missing:
            post_id = item["parent"]
            while post_id in places and post_id not in shown and post_id not in holders:
                holders[post_id] = self.placeholder(places[post_id], places)
                post_id = places[post_id]["parent_id"]
        return list(holders.values())

    def places(self, threads: Iterable[int]) -> dict[int, dict[str, Any]]:
        """{id: what a placeholder needs of it} for every post of these threads, one query."""
        threads = set(threads)
        return {
            row["id"]: row
            for row in Annotation.objects.filter(reading=self.reading)
            .filter(Q(pk__in=threads) | Q(thread_id__in=threads))
            .values(*PLACE_FIELDS)
        }

    def placeholder(self, a: dict[str, Any], places: dict[int, dict[str, Any]]) -> dict[str, Any]:
        """A post this person may not see, standing in its thread for what hangs under it:
        "hidden" or "pending" after the nearest concealed post at or above it."""
        cause, up = a, a
        while up is not None and not is_concealed(up["status"]):
            up = places.get(up["parent_id"])
        if up is not None:
            cause = up
        return {
            **self._place({**a, "pinned": False}),
            "status": Status.PENDING if cause["status"] == Status.PENDING else Status.HIDDEN,
            "text": "",
            "html": "",
            "tags": [],
            "edited": False,
            "deleted": False,
            "author": {
                "name": "",
                "role": None,
                "is_me": False,
                "pseudonym": False,
                "imported": False,
                "group": None,
            },
            "votes": 0,
            "voted": False,
            "moderation_reason": "",
            "flags": 0,
            "flagged": False,
            **dict.fromkeys(
                (
                    "can_edit",
                    "can_delete",
                    "can_reply",
                    "can_flag",
                    "can_moderate",
                    "can_reattach",
                    "can_resolve",
                    "can_endorse",
                ),
                False,
            ),
            "resolution": None,
            "endorsed": False,
            "placeholder": True,
            # The passage is the reading's own words: the thread stays where it was.
            "target": self.target(a),
        }
