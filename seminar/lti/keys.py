"""The tool's own RSA keys: made and rotated by `manage.py lti_keys`, published at
`/lti/jwks/`, used to sign what Seminar sends a platform (deep-linking responses, the
client assertions of AGS and NRPS token requests).

Rotation makes a new key the signing one and retires the old, which stays in the JWKS for
`GRACE` so that a platform holding a token or a cached keyset signed by it is not cut off.
"""

import datetime
import secrets

from django.db import transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import RSAKey

from seminar.lti.models import ToolKey

GRACE = datetime.timedelta(days=7)
ALGORITHM = "RS256"


@transaction.atomic
def tool_key_create() -> ToolKey:
    """A new 2048-bit signing key, active at once; the others stay as they are."""
    kid = secrets.token_urlsafe(12)
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
    return ToolKey.objects.create(
        kid=kid,
        private_pem=key.as_pem(private=True).decode(),
        public_jwk=key.as_dict(private=False),
    )


@transaction.atomic
def tool_key_rotate() -> ToolKey:
    """A new signing key; every older active key retired (still published for GRACE)."""
    new = tool_key_create()
    ToolKey.objects.active().exclude(pk=new.pk).update(retired=timezone.now())
    return new


def tool_keys_prune() -> int:
    """Delete keys retired longer ago than GRACE; returns how many."""
    deleted, _ = ToolKey.objects.filter(retired__lte=timezone.now() - GRACE).delete()
    return deleted


def public_keyset() -> dict:
    keys = ToolKey.objects.published(since=timezone.now() - GRACE)
    return {"keys": [key.public_jwk for key in keys]}


def signing_key() -> ToolKey:
    """The newest active key, made on first need so that a new site works at once."""
    key = ToolKey.objects.active().first()
    return key or tool_key_create()


def sign(claims: dict) -> str:
    key = signing_key()
    private = RSAKey.import_key(key.private_pem, parameters={"kid": key.kid})
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": "JWT"}
    return jwt.encode(header, claims, private, algorithms=[ALGORITHM])
