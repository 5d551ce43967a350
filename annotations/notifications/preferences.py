"""Email preferences: which notifications are emailed, and when.

Notifications are emailed by topic, and each person chooses per topic: immediately, in a
daily digest, or never. TOPICS is the table: the notification kinds a topic covers, its
default, the words of the settings page and the line of each email that says why it came.
A kind in no topic (a post approved or pinned) is told in the site only. A new kind of
notification (a mention) is one more row here, and one more `NotificationKind`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from annotations.models import NotificationKind
from annotations.notifications.models import Cadence, NotificationPreference
from annotations.permissions import can_moderate
from seminar.errors import ServiceError
from seminar.models import STAFF_ROLES, Membership
from seminar.permissions import remember_roles

if TYPE_CHECKING:
    from seminar.models import User


@dataclass(frozen=True)
class Topic:
    label: str  # the settings page's question
    kinds: tuple[str, ...]
    default: str
    why: str  # completes "You got this because …"
    moderators_only: bool = False


TOPICS: dict[str, Topic] = {
    "reply": Topic(
        label="Replies to your posts",
        kinds=(NotificationKind.REPLY,),
        default=Cadence.IMMEDIATELY,
        why="someone replied to a post of yours",
    ),
    "mention": Topic(
        label="Posts that mention you",
        kinds=(NotificationKind.MENTION,),
        default=Cadence.IMMEDIATELY,
        why="someone mentioned you in a post",
    ),
    "moderation": Topic(
        label="A moderator hides or restores one of your posts",
        kinds=(NotificationKind.HIDDEN, NotificationKind.RESTORED),
        default=Cadence.IMMEDIATELY,
        why="a moderator hid or restored a post of yours",
    ),
    # Immediately: a flag may be about harm to a student, which a moderator should hear of
    # while it can still be hidden; busy instructors switch it to the digest.
    "flagged": Topic(
        label="Posts flagged for the moderators (in seminars you moderate)",
        kinds=(NotificationKind.FLAGGED,),
        default=Cadence.IMMEDIATELY,
        why="you moderate a seminar where a post was flagged",
        moderators_only=True,
    ),
    "questions": Topic(
        label="Your questions answered or addressed in class",
        kinds=(NotificationKind.ANSWERED, NotificationKind.ADDRESSED),
        default=Cadence.IMMEDIATELY,
        why="a question of yours was answered or addressed in class",
    ),
    # The other participants of a question's thread: told in the site and in the daily
    # digest by default (they took part, so they want the answer, but one question's close
    # is not worth an email of its own to everyone who replied). "Never" tells them nothing
    # at all, in the site either: for them this is the whole preference.
    "question_threads": Topic(
        label="Questions you replied to are answered or addressed in class (“never”: not "
        "told at all)",
        kinds=(NotificationKind.QUESTION_CLOSED,),
        default=Cadence.DIGEST,
        why="a question whose thread you took part in was answered or addressed in class",
    ),
    "grades": Topic(
        label="Grades released for a reading",
        kinds=(NotificationKind.GRADES,),
        default=Cadence.IMMEDIATELY,
        why="your instructor released grades for a reading of your seminar",
    ),
    "reminders": Topic(
        label="Reminders to join a reading's discussion",
        kinds=(NotificationKind.REMINDER,),
        default=Cadence.IMMEDIATELY,
        why="your instructor reminded those who had not posted on a reading yet",
    ),
}

TOPIC_OF = {kind: key for key, topic in TOPICS.items() for kind in topic.kinds}

# The unsubscribe link of a digest stops the digest: every topic sent as one.
DIGEST = "digest"


def topic_of(kind: str) -> str | None:
    """The email topic of a notification kind; None: told in the site only."""
    return TOPIC_OF.get(kind)


def moderates_somewhere(user: User) -> bool:
    memberships = list(
        Membership.objects.filter(user=user, role__in=STAFF_ROLES).select_related("seminar")
    )
    remember_roles(user, memberships)
    return any(can_moderate(user, membership.seminar) for membership in memberships)


def topics_for(user: User) -> dict[str, Topic]:
    """The topics `user` may hear of, for their settings page."""
    moderator = moderates_somewhere(user)
    return {key: topic for key, topic in TOPICS.items() if moderator or not topic.moderators_only}


def cadences(user_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """{user id: {topic: cadence}} for every topic, defaults filled in, in one query."""
    chosen: dict[int, dict[str, str]] = {user_id: {} for user_id in user_ids}
    rows = NotificationPreference.objects.filter(user__in=list(chosen))
    for user_id, topic, cadence in rows.values_list("user_id", "topic", "cadence"):
        chosen[user_id][topic] = cadence
    return {
        user_id: {key: mine.get(key, topic.default) for key, topic in TOPICS.items()}
        for user_id, mine in chosen.items()
    }


def following_threads(user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` who hear when a question they took part in closes."""
    chosen = cadences(user_ids)
    return {pk for pk, mine in chosen.items() if mine["question_threads"] != Cadence.NEVER}


@transaction.atomic
def preferences_set(*, user: User, chosen: dict[str, str]) -> None:
    """Save `user`'s choice for each topic in `chosen` ({topic: cadence})."""
    for topic, cadence in chosen.items():
        if topic not in TOPICS:
            raise ServiceError(f"There is no email topic “{topic}”.")
        if cadence not in Cadence.values:
            raise ServiceError(f"Choose one of {', '.join(Cadence.values)} for “{topic}”.")
        NotificationPreference.objects.update_or_create(
            user=user, topic=topic, defaults={"cadence": cadence}
        )


def unsubscribe(*, user: User, topic: str) -> list[str]:
    """Turn one topic's email off (or, for DIGEST, every topic now sent as a digest).
    Returns the topics turned off."""
    if topic == DIGEST:
        mine = cadences([user.pk])[user.pk]
        topics = [key for key, cadence in mine.items() if cadence == Cadence.DIGEST]
    else:
        topics = [topic]
    preferences_set(user=user, chosen=dict.fromkeys(topics, Cadence.NEVER))
    return topics
