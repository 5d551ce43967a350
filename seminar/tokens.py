"""Personal API tokens: made once, shown once, stored as a SHA-256 hash, revocable."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from seminar.models import ApiToken, User
from seminar.services import ServiceError

PREFIX = "sem_"
MAX_TOKENS = 20


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns (token row, the full key); the key is never retrievable again."""
    name = " ".join((name or "").split())[:80]
    if not name:
        raise ServiceError("Name the token after what will use it, e.g. “grading script”.")
    if ApiToken.objects.filter(user=user, revoked__isnull=True).count() >= MAX_TOKENS:
        raise ServiceError(f"You have {MAX_TOKENS} active tokens; revoke one first.")
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=_hash(key))
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
    return token


def user_for_key(key: str | None) -> User | None:
    """The active owner of a key, or None. Marks the token used (at most once a minute)."""
    if not key or not key.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used is None or (now - token.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
