"""Verifying a launch: the id_token a platform posts to `/lti/launch/`, and its state.

`verify_launch` either returns a `Launch` (a verified, consumed, complete message) or raises
`LaunchRefused` with a reason for the log, a sentence for the person and a status. It
creates nothing but the mark that the state (and so its nonce) has been used, and only once
the signature and claims are good, so that nobody can burn another person's login.
"""

import dataclasses
import datetime
import logging
import time

from django.db import transaction
from django.utils import timezone
from joserfc import jws, jwt
from joserfc.errors import JoseError

from seminar.lti import claims as c
from seminar.lti.keysets import KeysetUnavailable, platform_keyset
from seminar.lti.models import Deployment, LtiLaunchState, Platform

log = logging.getLogger("seminar.lti")

STATE_LIFETIME = datetime.timedelta(minutes=10)
LEEWAY_SECONDS = 60
ALGORITHMS = ["RS256", "RS384", "RS512"]


class LaunchRefused(Exception):
    def __init__(self, reason: str, message: str, status: int = 403):
        super().__init__(reason)
        self.reason, self.message, self.status = reason, message, status


class CookiesBlocked(Exception):
    """The state is real but its cookie did not come back: third-party cookies are blocked."""

    def __init__(self, launch_state: LtiLaunchState):
        super().__init__("state cookie missing")
        self.launch_state = launch_state


@dataclasses.dataclass(frozen=True)
class Launch:
    platform: Platform
    deployment: Deployment
    claims: dict

    @property
    def message_type(self) -> str:
        return self.claims[c.MESSAGE_TYPE]

    @property
    def sub(self) -> str:
        return self.claims["sub"]

    @property
    def roles(self) -> list[str]:
        return self.claims[c.ROLES]

    @property
    def context(self) -> dict:
        return self.claims.get(c.CONTEXT) or {}

    @property
    def resource_link(self) -> dict:
        return self.claims.get(c.RESOURCE_LINK) or {}

    @property
    def custom(self) -> dict:
        return self.claims.get(c.CUSTOM) or {}


def state_cookie_name(state: str) -> str:
    return f"lti_state_{state[:16]}"


def _refuse(reason, message, status=403):
    raise LaunchRefused(reason, message, status)


def _state_row(state: str, cookies) -> LtiLaunchState:
    if not state:
        _refuse("no state", "The LMS sent no state with the launch.", 400)
    row = LtiLaunchState.objects.select_related("platform").filter(state=state).first()
    if row is None:
        _refuse("unknown state", "This launch does not match a login we started.")
    cookie = cookies.get(state_cookie_name(state))
    if cookie is None:
        raise CookiesBlocked(row)
    if cookie != state:
        _refuse("state cookie mismatch", "This launch does not match your browser's login.")
    if row.used is not None:
        _refuse("state already used", "This launch has been used already.")
    if row.created < timezone.now() - STATE_LIFETIME:
        _refuse("state expired", "This launch took too long. Open Seminar from your course again.")
    return row


def _decode(id_token: str, platform: Platform) -> dict:
    try:
        header = jws.extract_compact(id_token.encode()).protected
    except (JoseError, ValueError, UnicodeError):
        _refuse("malformed id_token", "The LMS sent a launch that cannot be read.", 400)
    if header.get("alg") not in ALGORITHMS:
        _refuse(f"algorithm {header.get('alg')!r} not allowed", "The launch is not signed.")
    try:
        keyset = platform_keyset(platform.keyset_url, kid=header.get("kid"))
    except KeysetUnavailable as error:
        log.warning("LTI keyset unavailable: %s", error)
        _refuse("keyset unavailable", "Seminar could not check the LMS's signature.", 502)
    try:
        token = jwt.decode(id_token, keyset, algorithms=ALGORITHMS)
    except JoseError as error:
        _refuse(f"bad signature ({error.error})", "The launch's signature is not valid.")
    if not isinstance(token.claims, dict):
        _refuse("claims not an object", "The launch cannot be read.", 400)
    return token.claims


def _check_claims(claims: dict, row: LtiLaunchState) -> Deployment:
    platform = row.platform
    if claims.get("iss") != platform.issuer:
        _refuse(f"issuer {claims.get('iss')!r} unknown", "The launch came from an unknown LMS.")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if platform.client_id not in audiences:
        _refuse(f"aud {aud!r} is not our client id", "The launch was meant for another tool.")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != platform.client_id:
        _refuse(f"azp {azp!r} is not our client id", "The launch was meant for another tool.")
    now = time.time()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        _refuse("exp or iat missing", "The launch has no valid time.", 400)
    if exp < now - LEEWAY_SECONDS:
        _refuse("token expired", "The launch has expired. Open Seminar from your course again.")
    if iat > now + LEEWAY_SECONDS:
        _refuse("token issued in the future", "The launch has no valid time.")
    if claims.get("nonce") != row.nonce:
        _refuse("nonce mismatch", "This launch does not match the login we started.")
    deployment = Deployment.objects.filter(
        platform=platform, deployment_id=claims.get(c.DEPLOYMENT_ID) or ""
    ).first()
    if deployment is None:
        _refuse(
            f"deployment {claims.get(c.DEPLOYMENT_ID)!r} not registered",
            "Seminar is not registered for this deployment of the LMS.",
        )
    _check_message(claims)
    return deployment


def _check_message(claims: dict) -> None:
    def missing(name):
        _refuse(f"missing claim {name}", "The LMS's launch lacks information Seminar needs.", 400)

    if claims.get(c.MESSAGE_TYPE) not in c.MESSAGE_TYPES:
        missing("message_type")
    if claims.get(c.VERSION) != "1.3.0":
        missing("version 1.3.0")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        missing("sub")
    if not isinstance(claims.get(c.ROLES), list):
        missing("roles")
    context = claims.get(c.CONTEXT)
    if not isinstance(context, dict) or not context.get("id"):
        missing("context")
    if claims[c.MESSAGE_TYPE] == c.RESOURCE_LINK_REQUEST:
        link = claims.get(c.RESOURCE_LINK)
        if not isinstance(link, dict) or not link.get("id"):
            missing("resource_link")
    else:
        settings = claims.get(c.DEEP_LINKING_SETTINGS)
        if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
            missing("deep_linking_settings")


def verify_launch(*, id_token: str, state: str, cookies) -> Launch:
    if not id_token:
        _refuse("no id_token", "The LMS sent no launch token.", 400)
    row = _state_row(state, cookies)
    claims = _decode(id_token, row.platform)
    deployment = _check_claims(claims, row)
    with transaction.atomic():
        consumed = LtiLaunchState.objects.filter(pk=row.pk, used__isnull=True).update(
            used=timezone.now()
        )
    if not consumed:
        _refuse("state already used", "This launch has been used already.")
    return Launch(platform=row.platform, deployment=deployment, claims=claims)
