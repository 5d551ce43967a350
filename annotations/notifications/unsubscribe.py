"""One-click unsubscribe links (RFC 8058): a signed token that names a person and a topic.

The link works logged out, from any mail client, for as long as the account exists, so it
carries no secret but its signature: django.core.signing with the site's SECRET_KEY and a
salt of its own (a token signed for another purpose never passes here). It can only ever
turn email off, which is why the view that takes it needs no CSRF token.
"""

from __future__ import annotations

from django.core import signing

SALT = "annotations.notifications.unsubscribe"


def unsubscribe_token(*, user_id: int, topic: str) -> str:
    return signing.dumps([user_id, topic], salt=SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, topic) of a token; `signing.BadSignature` for a broken or tampered one."""
    value = signing.loads(token, salt=SALT)
    match value:
        case [int() as user_id, str() as topic]:
            return user_id, topic
    raise signing.BadSignature("Not an unsubscribe token.")
