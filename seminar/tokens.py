"""Personal API tokens: made once, shown once, stored as a SHA-256 hash, revocable."""

import hashlib
import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from seminar.models import ApiToken, User
from seminar.services import ServiceError

PREFIX = "sem_"
MAX_TOKENS = 20
USED_EVERY = timedelta(minutes=1)  # how often `last_used` is written


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


def owner_of_key(key: str | None) -> User | None:
    """The active owner of an active key, or None: a User with `api_token_id` and
    `api_token_stale` (True when the token was not marked used this past minute). One query,
    written out: building the same join through the ORM cost more than everything else the
    API's authentication does."""
    if not key or not key.startswith(PREFIX):
        return None
    quote = connection.ops.quote_name
    users, tokens = quote(User._meta.db_table), quote(ApiToken._meta.db_table)
    # Only quoted names from the models' own metadata are formatted in; values are params.
    sql = (
        f"SELECT u.*, t.{quote('id')} AS api_token_id, "  # noqa: S608
        f"(t.{quote('last_used')} IS NULL OR t.{quote('last_used')} < %s) AS api_token_stale "
        f"FROM {tokens} t INNER JOIN {users} u ON u.{quote('id')} = t.{quote('user_id')} "
        f"WHERE t.{quote('key_hash')} = %s AND t.{quote('revoked')} IS NULL "
        f"AND u.{quote('is_active')}"
    )
    minute_ago = connection.ops.adapt_datetimefield_value(timezone.now() - USED_EVERY)
    found = list(User.objects.raw(sql, [minute_ago, _hash(key)]))
    return found[0] if found else None


def mark_used(owner: User) -> None:
    """Record that `owner_of_key`'s token served a request (at most once a minute)."""
    if owner.api_token_stale:
        ApiToken.objects.filter(pk=owner.api_token_id).update(last_used=timezone.now())


def user_for_key(key: str | None) -> User | None:
    """The active owner of a key, or None. Marks the token used (at most once a minute)."""
    owner = owner_of_key(key)
    if owner is not None:
        mark_used(owner)
    return owner
