"""Limits on guessing and on writing, counted in the database so every worker agrees.

A *limit* is a number of attempts in a window of seconds, per name and per identity (an
account, a client address, a user). Guessing limits count failures only: past the limit,
every attempt is refused until the window ends, the right code or token included, so that
guessing is slow whatever the guesser does. The write limit counts every write.

Windows are fixed (they start at the first counted attempt); the count and the window's end
are one row of `ThrottleWindow`, counted by one atomic upsert (`INSERT … ON CONFLICT DO
UPDATE … RETURNING`, PostgreSQL and SQLite alike): one statement a write, no read first, and
parallel attempts each count (a read-modify-write in the cache let them all read the same
count). The limits are settings (`SEMINAR_THROTTLES`, name -> (count, seconds)). A guessing
limit that opens a new window deletes the windows that have ended, so rows keyed by whatever
a guesser sends do not pile up; the write limit's rows, one per writer, are reused.
Logins are django-axes' job.
"""

import hashlib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from ninja.throttling import BaseThrottle

from seminar.models import ThrottleWindow

DEFAULTS = {
    "join-code": (10, 15 * 60),  # wrong join codes, per account and per client address
    "invite": (10, 15 * 60),  # invite links that lead nowhere
    "api-token": (20, 15 * 60),  # unknown or revoked API tokens, per client address
    "password-reset": (5, 60 * 60),  # reset emails asked for, per address and per email
    "api-write": (120, 60),  # writes through the API, per user
}
WRITES = "api-write"


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def limit_for(name: str) -> Limit:
    count, seconds = {**DEFAULTS, **getattr(settings, "SEMINAR_THROTTLES", {})}[name]
    return Limit(int(count), int(seconds))


def _key(name: str, ident: str) -> str:
    digest = hashlib.sha256(str(ident).encode()).hexdigest()[:32]
    return f"{name}:{digest}"


def _wait(name: str, state, *, allowed: int = 0) -> int | None:
    """Seconds left in a window whose count reached the limit (plus `allowed`), else None."""
    if not state:
        return None
    count, ends = state
    left = int(ends - time.time()) + 1
    if left <= 0 or count < limit_for(name).count + allowed:
        return None
    return left


def retry_after(name: str, ident: str) -> int | None:
    """Seconds until `ident` may try `name` again, or None if it may now."""
    return blocked(name, ident)


def _count(key: str, seconds: int) -> tuple[int, float]:
    """Count one attempt under `key` in one statement: a new window of `seconds` if there
    was none or it has ended. Returns the window's (count, end)."""
    now = time.time()
    quote = connection.ops.quote_name
    table = quote(ThrottleWindow._meta.db_table)
    key_, count, ends = (quote(name) for name in ("key", "count", "ends"))
    # Only quoted names from the model's own metadata are formatted in; values are params.
    sql = (
        f"INSERT INTO {table} ({key_}, {count}, {ends}) VALUES (%s, 1, %s) "  # noqa: S608
        f"ON CONFLICT ({key_}) DO UPDATE SET "
        f"{count} = CASE WHEN {table}.{ends} <= %s THEN 1 ELSE {table}.{count} + 1 END, "
        f"{ends} = CASE WHEN {table}.{ends} <= %s THEN excluded.{ends} ELSE {table}.{ends} END "
        f"RETURNING {count}, {ends}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, now + seconds, now, now])
        counted, until = cursor.fetchone()
    return counted, until


def record(name: str, ident: str) -> int | None:
    """Count one attempt; return the seconds to wait if this one went over the limit."""
    state = _count(_key(name, ident), limit_for(name).seconds)
    if state[0] == 1 and name != WRITES:
        # A new window: the time to sweep away the ended ones (failures only, never a write).
        ThrottleWindow.objects.filter(ends__lte=time.time()).delete()
    return _wait(name, state, allowed=1)  # this attempt itself was let through


def reset(name: str, ident: str) -> None:
    ThrottleWindow.objects.filter(key=_key(name, ident)).delete()


def blocked(name: str, *idents: str) -> int | None:
    """The longest wait any of `idents` owes for `name`, or None. One query."""
    keys = [_key(name, ident) for ident in idents if ident]
    if not keys:
        return None
    quote = connection.ops.quote_name
    # Written out, as `_count` is: the API asks this on every token request.
    sql = (
        f"SELECT {quote('count')}, {quote('ends')} "  # noqa: S608
        f"FROM {quote(ThrottleWindow._meta.db_table)} "
        f"WHERE {quote('key')} IN ({', '.join(['%s'] * len(keys))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, keys)
        states = cursor.fetchall()
    waits = [w for state in states if (w := _wait(name, state))]
    return max(waits) if waits else None


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind the declared proxy its X-Forwarded-For."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def wait_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts. Try again in {minutes} {unit}."


class WriteThrottle(BaseThrottle):
    """The API's write limit per user (anonymous writes are refused before this counts)."""

    def __init__(self):
        self._local = threading.local()  # one instance serves every request thread

    def allow_request(self, request) -> bool:
        self._local.wait = None
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        user = getattr(request, "auth", None) or request.user
        if not getattr(user, "is_authenticated", False):
            return True
        self._local.wait = record(WRITES, f"user:{user.pk}")
        return self._local.wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
