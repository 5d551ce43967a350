"""The reading of a poll and its caller, in as few queries as a poll can take.

Two hundred readers poll an unchanged reading every 15 seconds: each poll must cost little.
Django's own way to the caller is two queries (the session, then the user) before the
reading's; here the session is read as usual (one query) and the user comes with the
reading, its seminar, the caller's role and the list's version in the second, checked as
`django.contrib.auth.get_user` checks it (the backend, the account active, the session's
hash of the password). Anything else (an API token, a session from before a change of
SECRET_KEY, no session) goes the usual way, which gives the same answers in more queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.http import Http404
from django.utils.crypto import constant_time_compare
from ninja.errors import AuthenticationError

from annotations.listing.access import READING, SEMINAR, access_reading_for_list
from annotations.listing.versions import VERSION_COLUMNS, VERSION_JOIN
from seminar.api import BearerToken
from seminar.models import Membership, Reading, Seminar, User
from seminar.permissions import can_view_reading, remember_role
from seminar.rawrows import column, made, one_row

if TYPE_CHECKING:
    from django.http import HttpRequest

USER = tuple(f.attname for f in User._meta.concrete_fields)


def _sql() -> str:
    users, readings, seminars = User._meta.db_table, Reading._meta.db_table, Seminar._meta.db_table
    members = Membership._meta.db_table
    columns = [f"u.{column(User, name)}" for name in USER]
    columns += [f"r.{column(Reading, name)}" for name in READING]
    columns += [f"s.{column(Seminar, name)}" for name in SEMINAR]
    return (
        f"SELECT {', '.join(columns)}, m.{column(Membership, 'role')}, "  # noqa: S608 (names)
        f"{VERSION_COLUMNS} "
        f'FROM "{users}" u JOIN "{readings}" r ON r."id" = %s '
        f'JOIN "{seminars}" s ON s."id" = r.{column(Reading, "seminar_id")} '
        f'LEFT JOIN "{members}" m ON m.{column(Membership, "seminar_id")} = s."id" '
        f'AND m.{column(Membership, "user_id")} = u."id" '
        f"{VERSION_JOIN} "
        f'WHERE u."id" = %s'
    )


SQL = _sql()


def _session_user_id(request: HttpRequest) -> int | None:
    session = request.session
    try:
        user_id, backend = session[SESSION_KEY], session[BACKEND_SESSION_KEY]
    except KeyError:
        return None
    if backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    try:
        return User._meta.pk.to_python(user_id)
    except Exception:  # noqa: BLE001 (a session not of this site: the usual way decides)
        return None


def _quick(request: HttpRequest, reading_id: int) -> Reading | None:
    """The reading with `request.user` set, from the session and one query; None where the
    usual way must decide."""
    user_id = _session_user_id(request)
    if user_id is None:
        return None
    row = one_row(SQL, [reading_id, reading_id, user_id])
    if row is None:
        return None
    user = made(User, USER, row[: len(USER)])
    held = request.session.get(HASH_SESSION_KEY)
    if not (user.is_active and held and constant_time_compare(held, user.get_session_auth_hash())):
        return None
    at = len(USER)
    reading = made(Reading, READING, row[at : at + len(READING)])
    at += len(READING)
    reading.seminar = made(Seminar, SEMINAR, row[at : at + len(SEMINAR)])
    role, newest, count = row[at + len(SEMINAR) :]
    reading.list_version = (newest, count)
    request.user = user
    remember_role(user, reading.seminar.pk, role)
    if not can_view_reading(user, reading):
        raise Http404
    return reading


def access_reading_for_poll(request: HttpRequest, reading_id: int) -> Reading:
    """The reading with its seminar and `list_version`, `request.user` its caller; 401
    without one, 404 unless they may see it."""
    token = request.headers.get("Authorization", "")
    if not token.lower().startswith("bearer "):
        reading = _quick(request, reading_id)
        if reading is not None:
            return reading
        user = request.user
    else:
        user = BearerToken().authenticate(request, token.split(" ", 1)[1].strip())
    if user is None or not user.is_authenticated:
        raise AuthenticationError
    return access_reading_for_list(user, reading_id)
