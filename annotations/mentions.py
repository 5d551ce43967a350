"""@mentions: naming a member of the seminar in a post, so that they hear of it.

A mention is written into the text as "@[member:<membership id>]" (docs/api.md): a reference
to the member, never their name, so that every reader sees the name they may see (a pseudonym
among peers where the seminar hides names; annotations/rendering.py stores an empty chip the
presenter fills). The id is the Membership's, not the user's: a user id would tie one
person's pseudonym here to their name in another seminar.

The services keep `Annotation.mentions` (the users named) in step with the text on create
and edit; a mention of someone who is not a member is refused, except one the post already
held (a member who has since left stays a "former member"). Who is told is decided when the
post is saved, by who may see it (notifications.services.notify_mentions); the composer asks
`mention_candidates` first, to say who will not be told and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from annotations.models import Annotation, Status, Visibility, under_concealed
from annotations.permissions import (
    can_view_reading,
    is_concealed,
    post_may_be_seen,
    posts_need_approval,
)
from annotations.presenting import Presenter
from annotations.rendering import mentioned_ids
from seminar.errors import ServiceError
from seminar.models import STAFF_ROLES, Membership, User
from seminar.permissions import remember_roles

if TYPE_CHECKING:
    from seminar.models import Reading, Seminar

MAX_MENTIONS = 20


def mentioned_users(*, text: str, seminar: Seminar, kept: Iterable[int] = ()) -> list[User]:
    """The users `text` mentions, each a member of `seminar`. `kept`: membership ids the post
    mentioned before this edit, which may name someone who has left since."""
    ids = mentioned_ids(text)
    if len(ids) > MAX_MENTIONS:
        raise ServiceError(f"Mention at most {MAX_MENTIONS} people in one post.")
    if not ids:
        return []
    members = {
        m.pk: m.user
        for m in Membership.objects.filter(seminar=seminar, pk__in=ids).select_related("user")
    }
    unknown = [i for i in ids if i not in members and i not in set(kept)]
    if unknown:
        raise ServiceError(
            f"“@[member:{unknown[0]}]” names no member of this seminar: type @ and pick a "
            "name from the list."
        )
    return [members[i] for i in ids if i in members]


# Why a mention will not reach someone, completing "Sam Park won't be notified: …".
NOT_ON_READING = "they can't see this reading yet"
PRIVATE = "they can't see a private note"
CONCEALED = "they can't see this thread while it is hidden or awaiting approval"
INSTRUCTORS = "only instructors, TAs and the thread's author see it"
PENDING = "they can't see it until a moderator approves it (they will be told then)"


def _why_not(*, visibility: str, pending: bool, concealed_above: bool) -> str:
    if visibility == Visibility.PRIVATE:
        return PRIVATE
    if concealed_above:
        return CONCEALED
    if visibility == Visibility.INSTRUCTORS:
        return INSTRUCTORS
    return PENDING if pending else ""


def mention_candidates(
    *, writer: User, reading: Reading, parent: Annotation | None = None, q: str = ""
) -> list[dict[str, Any]]:
    """The members `writer` may mention on `reading`, as the writer may name them, whose
    name has a word starting with `q`; each with `unreached`: {visibility: why a post of that
    visibility would not reach them}, for a new post, or for a reply under `parent` (which
    takes its thread's visibility). The writer is not among them."""
    seminar = reading.seminar
    presenter = Presenter(writer, reading)
    thread_author = None
    concealed_above = False
    if parent is not None:
        root = parent if parent.thread_id is None else parent.thread
        thread_author = root.author_id
        concealed_above = (
            is_concealed(parent.status)
            or Annotation.objects.filter(pk=parent.pk, pk__in=under_concealed()).exists()
        )
    pending = {v: posts_need_approval(writer, seminar, visibility=v) for v in Visibility.values}
    wanted = " ".join(q.split()).casefold()
    members = [
        m for m in presenter.members if m["user_id"] != writer.pk and _matches(m["name"], wanted)
    ]
    users = User.objects.in_bulk([m["user_id"] for m in members])
    found = []
    for member in members:
        user = users[member["user_id"]]
        remember_roles(user, [Membership(seminar_id=seminar.pk, role=member["role"])])
        found.append(
            {
                "id": member["id"],
                "name": member["name"],
                "role": member["role"],
                "unreached": _unreached(
                    user,
                    member["role"],
                    reading=reading,
                    pending=pending,
                    started_thread=thread_author == user.pk,
                    concealed_above=concealed_above,
                ),
            }
        )
    return sorted(found, key=lambda m: m["name"].casefold())


def _matches(name: str, wanted: str) -> bool:
    if not wanted:
        return True
    name = name.casefold()
    return name.startswith(wanted) or any(word.startswith(wanted) for word in name.split())


def _unreached(
    user: User,
    role: str | None,
    *,
    reading: Reading,
    pending: dict[str, bool],
    started_thread: bool,
    concealed_above: bool,
) -> dict[str, str]:
    if not can_view_reading(user, reading):
        return dict.fromkeys(Visibility.values, NOT_ON_READING)
    unreached = {}
    for visibility in Visibility.values:
        seen = post_may_be_seen(
            mine=False,
            teaches=role in STAFF_ROLES,
            visibility=visibility,
            status=Status.PENDING if pending[visibility] else Status.PUBLISHED,
            started_thread=started_thread,
            concealed_above=concealed_above,
        )
        if not seen:
            unreached[visibility] = _why_not(
                visibility=visibility,
                pending=pending[visibility],
                concealed_above=concealed_above,
            )
    return unreached
