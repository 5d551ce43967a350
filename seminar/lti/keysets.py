"""Platforms' public keys, fetched from their keyset (JWKS) URLs.

Fetched with a short timeout and kept in Django's cache (shared by every worker) for
`CACHE_SECONDS`; a token signed by a key id the cached set lacks fetches the set once more,
which is how a platform's key rotation reaches us without waiting out the cache.
"""

import hashlib
import json
import logging
import urllib.error
import urllib.request

from django.core.cache import cache
from joserfc.jwk import KeySet

log = logging.getLogger("seminar.lti")

TIMEOUT_SECONDS = 5
CACHE_SECONDS = 600
MAX_BYTES = 256 * 1024


class KeysetUnavailable(Exception):
    """The platform's keyset could not be fetched or read."""


def _cache_key(url: str) -> str:
    return "lti-jwks:" + hashlib.sha256(url.encode()).hexdigest()


def _fetch(url: str) -> dict:
    if not url.startswith(("https://", "http://")):
        raise KeysetUnavailable(f"the keyset URL {url!r} is not http(s)")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise KeysetUnavailable(f"could not fetch {url}: {error}") from error
    if len(body) > MAX_BYTES:
        raise KeysetUnavailable(f"the keyset at {url} is too large")
    try:
        data = json.loads(body)
    except ValueError as error:
        raise KeysetUnavailable(f"the keyset at {url} is not JSON") from error
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise KeysetUnavailable(f"the keyset at {url} has no keys")
    return data


def platform_keyset(url: str, *, kid: str | None = None) -> KeySet:
    """The keyset at `url`, from the cache unless it lacks `kid`."""
    data = cache.get(_cache_key(url))
    if data is None or (kid and kid not in {k.get("kid") for k in data["keys"]}):
        data = _fetch(url)
        cache.set(_cache_key(url), data, CACHE_SECONDS)
    try:
        return KeySet.import_key_set(data)
    except Exception as error:  # joserfc raises several kinds on a malformed key
        raise KeysetUnavailable(f"the keyset at {url} cannot be read: {error}") from error
