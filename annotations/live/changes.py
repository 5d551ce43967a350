"""What changed in a reading's discussion since a cursor, as one person may see it now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from annotations.listing.documents import changed_threads
from annotations.live.cursors import cursor_of
from annotations.presenting import Presenter, visible_rows

if TYPE_CHECKING:
    from seminar.models import Reading, User

# More changed threads than this and the caller is told to load the list again (`reset`).
AT_MOST = 50


def changes_since(*, user: User, reading: Reading, since: tuple[int, int]) -> dict[str, Any]:
    """`{cursor, reset, threads: [{thread, items}], others}`.

    Each changed thread comes whole as the annotation list gives it to `user` (the same
    presenter, the same rows: nothing they may not see), so a client replaces its copy of
    the thread. A changed thread of which they see nothing now is not named: `others` says
    only that one exists, so that a client that showed something of it (a post since hidden
    or deleted) loads the list again. `reset`: too much changed, or a change touches every
    post (a member, a name, a setting), or the cursor is not of this reading's history
    (a restored database): load the list again."""
    answer: dict[str, Any] = {
        "cursor": cursor_of(reading.list_version),
        "reset": False,
        "threads": [],
        "others": False,
    }
    threads = changed_threads(since, reading, at_most=AT_MOST)
    if threads is None:
        answer["reset"] = True
        return answer
    rows = visible_rows(user, reading).filter(Q(pk__in=threads) | Q(thread_id__in=threads))
    grouped: dict[int, list[dict[str, Any]]] = {}
    for item in Presenter(user, reading).present_all(rows):
        grouped.setdefault(item["thread"], []).append(item)
    answer["threads"] = [{"thread": thread, "items": grouped[thread]} for thread in sorted(grouped)]
    answer["others"] = bool(threads - set(grouped))
    return answer
