"""The LTI 1.3 endpoints: the tool's keyset, the OIDC login and the launch.

The platform's browser requests arrive cross-site (often inside an iframe) and without our
CSRF token, so login and launch are CSRF-exempt: the state cookie, the one-time state and
nonce, and the platform's signature are what protect them (seminar.lti.launch).
"""

import logging
import urllib.parse

from django.contrib import messages
from django.contrib.auth import login as sign_in
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from seminar.access import access_staff_seminar
from seminar.lti import claims as c
from seminar.lti import frames
from seminar.lti.keys import public_keyset
from seminar.lti.launch import (
    STATE_LIFETIME,
    CookiesBlocked,
    LaunchRefused,
    state_cookie_name,
    verify_launch,
)
from seminar.lti.models import LtiLaunchState, Platform, origin_of
from seminar.lti.roster import roster_sync_later
from seminar.lti.services import launch_apply
from seminar.permissions import can_manage_roster

log = logging.getLogger("seminar.lti")

LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id")
LOGIN_PARAMS += ("lti_deployment_id",)
LAUNCH_SESSION_KEY = "lti_launch"  # read by seminar.lti.deeplinking


def page(request, heading, message, *, status=200, **context):
    response = render(
        request,
        "seminar/lti/message.html",
        {"heading": heading, "message": message, **context},
        status=status,
    )
    # Shown inside whichever LMS framed the flow; these pages change nothing.
    return frames.frameable(response, ["*"])


def refused(request, error: LaunchRefused, *, step: str):
    log.warning("LTI %s refused: %s", step, error.reason)
    return page(request, "Seminar could not open", error.message, status=error.status, retry=True)


def jwks(request):
    response = JsonResponse(public_keyset())
    response["Cache-Control"] = "public, max-age=300"
    return response


def _platform_for_login(params) -> Platform:
    iss, client_id = params.get("iss"), params.get("client_id")
    if not iss or not params.get("login_hint") or not params.get("target_link_uri"):
        raise LaunchRefused(
            "login without iss, login_hint or target_link_uri",
            "The LMS's login request is incomplete.",
            400,
        )
    platforms = Platform.objects.filter(issuer=iss)
    if client_id:
        platforms = platforms.filter(client_id=client_id)
    found = list(platforms[:2])
    if not found:
        raise LaunchRefused(f"issuer {iss!r} unknown", "This LMS is not registered with Seminar.")
    if len(found) > 1:
        raise LaunchRefused(
            f"issuer {iss!r} has several client ids and none was sent",
            "Seminar cannot tell which registration of this LMS to use.",
            400,
        )
    deployment_id = params.get("lti_deployment_id")
    if deployment_id and not found[0].deployments.filter(deployment_id=deployment_id).exists():
        raise LaunchRefused(
            f"deployment {deployment_id!r} not registered",
            "Seminar is not registered for this deployment of the LMS.",
        )
    return found[0]


@csrf_exempt
@never_cache
def login(request):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    params = request.GET if request.method == "GET" else request.POST
    try:
        platform = _platform_for_login(params)
        target = params["target_link_uri"]
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            raise LaunchRefused(
                f"target_link_uri {target!r} is not this site",
                "The LMS asked to open a page that is not Seminar's.",
                400,
            )
    except LaunchRefused as error:
        return refused(request, error, step="login")
    kept = {name: params[name] for name in LOGIN_PARAMS if params.get(name)}
    row = LtiLaunchState.objects.create(platform=platform, login_params=kept)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": request.build_absolute_uri(reverse("lti_launch")),
        "login_hint": params["login_hint"],
        "state": row.state,
        "nonce": row.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if urllib.parse.urlsplit(platform.auth_login_url).query else "?"
    response = HttpResponseRedirect(
        platform.auth_login_url + separator + urllib.parse.urlencode(query)
    )
    response.set_cookie(
        state_cookie_name(row.state),
        row.state,
        max_age=int(STATE_LIFETIME.total_seconds()),
        path=reverse("lti_launch"),
        secure=True,
        httponly=True,
        samesite="None",
    )
    frames.cross_site_cookie(response, state_cookie_name(row.state))
    return response


def _cookies_blocked(request, row: LtiLaunchState):
    # Not an attack to rebuff but a way forward to offer, so a 200; nothing is verified or
    # consumed, and the new tab starts a login of its own.
    log.warning("LTI launch refused: state cookie missing (third-party cookies blocked?)")
    new_tab = reverse("lti_login") + "?" + urllib.parse.urlencode(row.login_params)
    return page(
        request,
        "Open Seminar in a new tab",
        "Seminar could not sign you in inside this page.",
        new_tab_url=new_tab,
    )


def _frame_origins(launch) -> list[str]:
    origins = set(launch.platform.allowed_frame_origins())
    return_url = (launch.claims.get(c.LAUNCH_PRESENTATION) or {}).get("return_url")
    if origin_of(return_url or ""):
        origins.add(origin_of(return_url))
    return sorted(origins)


@csrf_exempt
@never_cache
def launch(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        verified = verify_launch(
            id_token=request.POST.get("id_token", ""),
            state=request.POST.get("state", ""),
            cookies=request.COOKIES,
        )
    except CookiesBlocked as blocked:
        return _cookies_blocked(request, blocked.launch_state)
    except LaunchRefused as error:
        return refused(request, error, step="launch")
    outcome = launch_apply(launch=verified)
    if outcome.not_set_up:
        log.info("LTI launch by a student before the course has a seminar")
        return page(
            request,
            "Seminar is not set up yet",
            "Your instructor has not set up Seminar for this course yet. "
            "Try again once they have opened it from the course.",
        )
    sign_in(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[frames.SESSION_KEY] = _frame_origins(verified)
    request.session[LAUNCH_SESSION_KEY] = {
        "platform": verified.platform.pk,
        "seminar": outcome.seminar.pk,
        "deep_linking": verified.claims.get(c.DEEP_LINKING_SETTINGS),
        "deployment_id": verified.deployment.deployment_id,
    }
    response = HttpResponseRedirect(outcome.destination)
    response.delete_cookie(
        state_cookie_name(request.POST["state"]), path=reverse("lti_launch"), samesite="None"
    )
    return response


@login_required
@require_POST
def roster_sync(request, slug):
    """The roster page's "Sync roster from the LMS": queued, never waited for."""
    seminar = access_staff_seminar(request.user, slug, allowed=can_manage_roster)
    contexts = list(seminar.lti_contexts.exclude(memberships_url=""))
    for lti_context in contexts:
        roster_sync_later(lti_context=lti_context)
    if contexts:
        messages.success(
            request,
            "Roster sync from the LMS queued: members, roles and who has left "
            "will show here in a minute or so.",
        )
    else:
        messages.error(request, "This seminar is not linked to an LMS course with a roster.")
    return redirect("roster", slug=seminar.slug)
