"""Limits on guessing and on writing, counted in the shared cache so every worker agrees.

A *limit* is a number of attempts in a window of seconds, per name and per identity (an
account, a client address, a user). Guessing limits count failures only: past the limit,
every attempt is refused until the window ends, the right code or token included, so that
guessing is slow whatever the guesser does. The write limit counts every write.

Windows are fixed (they start at the first counted attempt); the count and the window's end
are one cache entry. The limits are settings (`SEMINAR_THROTTLES`, name -> (count, seconds));
Django's cache must be shared (the default is the database cache), never process memory.
Logins are django-axes' job.
"""

import hashlib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle

DEFAULTS = {
    "join-code": (10, 15 * 60),  # wrong join codes, per account and per client address
    "invite": (10, 15 * 60),  # invite links that lead nowhere
    "api-token": (20, 15 * 60),  # unknown or revoked API tokens, per client address
    "password-reset": (5, 60 * 60),  # reset emails asked for, per address and per email
    "api-write": (120, 60),  # writes through the API, per user
}


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def limit_for(name: str) -> Limit:
    count, seconds = {**DEFAULTS, **getattr(settings, "SEMINAR_THROTTLES", {})}[name]
    return Limit(int(count), int(seconds))


def _key(name: str, ident: str) -> str:
    digest = hashlib.sha256(str(ident).encode()).hexdigest()[:32]
    return f"throttle:{name}:{digest}"


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
    return _wait(name, cache.get(_key(name, ident)))


def record(name: str, ident: str) -> int | None:
    """Count one attempt; return the seconds to wait if this one went over the limit."""
    limit = limit_for(name)
    key = _key(name, ident)
    now = time.time()
    state = cache.get(key)
    if not state or state[1] <= now:
        state = (0, now + limit.seconds)
    state = (state[0] + 1, state[1])
    # A read-modify-write: two workers racing may each count once for two attempts, which
    # errs by one attempt per race, never by a window.
    cache.set(key, state, timeout=max(1, int(state[1] - now) + 1))
    return _wait(name, state, allowed=1)  # this attempt itself was let through


def reset(name: str, ident: str) -> None:
    cache.delete(_key(name, ident))


def blocked(name: str, *idents: str) -> int | None:
    """The longest wait any of `idents` owes for `name`, or None."""
    waits = [w for ident in idents if ident and (w := retry_after(name, ident))]
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
        self._local.wait = record("api-write", f"user:{user.pk}")
        return self._local.wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
