"""A reading's import, kept between its preview and its saving.

Adding a reading takes two requests: the first reads the file (or the pasted text) and shows
a preview; the second, "Save reading", saves what the preview showed. Between the two the
parsed reading and the form's other fields are kept in Django's cache (shared by every
worker) under an unguessable token, bound to the person and the seminar and kept for
``PREVIEW_SECONDS``. The file is read once: saving does not read it again, so the reading
saved is exactly the one previewed. A token that has expired, or belongs to someone else,
finds nothing; one already saved remembers the reading for the rest of the hour, so a second
click on "Save reading" leads to it instead of making a copy.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache

from seminar.documents.uploads import Imported
from seminar.models import Seminar, User

PREVIEW_SECONDS = 3600
_PREFIX = "reading-import:"


@dataclass
class PendingImport:
    user: int
    seminar: int
    imported: Imported
    fields: dict[str, Any] = field(default_factory=dict)  # the form's details, cleaned
    pasted: str = ""  # the pasted text, for "Back"
    filename: str = ""
    saved: int | None = None  # the reading's pk once saved


def pending_store(
    *,
    user: User,
    seminar: Seminar,
    imported: Imported,
    fields: dict[str, Any],
    pasted: str = "",
    filename: str = "",
) -> str:
    """Keep an import for its preview; returns the token that finds it again."""
    token = secrets.token_urlsafe(24)
    pending = PendingImport(user.pk, seminar.pk, imported, fields, pasted, filename)
    cache.set(_PREFIX + token, pending, PREVIEW_SECONDS)
    return token


def pending_find(*, token: str, user: User, seminar: Seminar) -> PendingImport | None:
    """The import kept under `token` for this person and seminar, or None."""
    if not token or len(token) > 64:
        return None
    pending = cache.get(_PREFIX + token)
    if not isinstance(pending, PendingImport):
        return None
    if (pending.user, pending.seminar) != (user.pk, seminar.pk):
        return None
    return pending


def pending_mark_saved(*, token: str, pending: PendingImport, reading_pk: int) -> None:
    """Forget the parse, remember the reading (for a second click on Save)."""
    pending.saved = reading_pk
    pending.imported = None  # type: ignore[assignment]  # the text is in the database now
    cache.set(_PREFIX + token, pending, PREVIEW_SECONDS)
