"""Calling a platform's LTI Advantage services (NRPS, AGS) with an OAuth2 access token.

The token comes from the platform's token URL by the client-credentials grant with a JWT
client assertion (RFC 7523) signed by the tool's key (seminar.lti.keys.sign), as LTI 1.3's
security framework asks: `iss` and `sub` our client id, `aud` the token URL, a fresh `jti`,
five minutes of life. It is kept in Django's cache (shared by every worker) until a minute
before the platform says it expires, one per platform and set of scopes. Every call has a
short timeout: a slow platform costs a task a few seconds, never a page.
"""

import hashlib
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

from django.core.cache import cache

from seminar.lti.keys import sign
from seminar.lti.models import Platform

log = logging.getLogger("seminar.lti")

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
AGS_SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

TIMEOUT_SECONDS = 5
MAX_BYTES = 4 * 1024 * 1024
ASSERTION_SECONDS = 300
EARLY_SECONDS = 60  # a token is dropped this long before the platform's expiry


class PlatformError(Exception):
    """A platform's service (or its token endpoint) could not be reached, or refused."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


def _cache_key(platform: Platform, scopes) -> str:
    raw = f"{platform.pk}|{platform.auth_token_url}|{' '.join(sorted(scopes))}"
    return "lti-token:" + hashlib.sha256(raw.encode()).hexdigest()


def client_assertion(platform: Platform) -> str:
    now = int(time.time())
    return sign(
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_token_url,
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
            "jti": secrets.token_urlsafe(16),
        }
    )


def _open(request: urllib.request.Request) -> tuple[int, dict, bytes]:
    """(status, headers, body) of `request`; an HTTP error status is an answer, not raised."""
    if not request.full_url.startswith(("https://", "http://")):
        raise PlatformError(f"{request.full_url!r} is not an http(s) URL")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read(MAX_BYTES)
    except urllib.error.HTTPError as error:
        body = error.read(2000) if error.fp else b""
        return error.code, dict(error.headers or {}), body
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            late = f"{request.full_url} did not answer in {TIMEOUT_SECONDS} s"
            raise PlatformError(late) from error
        raise PlatformError(f"could not reach {request.full_url}: {reason}") from error


def access_token(platform: Platform, scopes, *, fresh: bool = False) -> str:
    """An access token for `scopes` at `platform`, from the cache unless `fresh`."""
    if not platform.auth_token_url:
        raise PlatformError(f"{platform} has no access token URL")
    key = _cache_key(platform, scopes)
    token = None if fresh else cache.get(key)
    if token:
        return token
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(platform),
        "scope": " ".join(scopes),
    }
    request = urllib.request.Request(  # noqa: S310 (checked in _open)
        platform.auth_token_url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    status, _headers, body = _open(request)
    if status != 200:
        raise PlatformError(f"the token URL answered {status}: {body[:200]!r}", status=status)
    try:
        data = json.loads(body)
        token, lifetime = str(data["access_token"]), int(data.get("expires_in") or 3600)
    except (ValueError, KeyError, TypeError) as error:
        raise PlatformError("the token URL's answer has no access_token") from error
    if lifetime > EARLY_SECONDS:
        cache.set(key, token, lifetime - EARLY_SECONDS)
    return token


def service_call(
    platform: Platform,
    url: str,
    *,
    scopes,
    method: str = "GET",
    payload: dict | None = None,
    accept: str = "application/json",
    content_type: str = "application/json",
) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one call to a platform's service, with a bearer token. A
    401 gets one more try with a new token (the platform may have revoked the cached one)."""
    data = json.dumps(payload).encode() if payload is not None else None
    for attempt in (1, 2):
        token = access_token(platform, scopes, fresh=attempt == 2)
        headers = {"Authorization": f"Bearer {token}", "Accept": accept}
        if data is not None:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
        status, response_headers, body = _open(request)
        if status != 401:
            return status, response_headers, body
    return status, response_headers, body
