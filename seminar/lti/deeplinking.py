"""Deep Linking 2.0: an instructor adding Seminar to a course picks one of the seminar's
readings, and the LMS gets an `ltiResourceLink` content item for it, with a line item, so
that the reading becomes a (graded) assignment in the course.

The launch (an `LtiDeepLinkingRequest`, verified like any other) leaves its
`deep_linking_settings` in the session; the picker answers with a JWT signed by the tool's
key (seminar.lti.keys) posted back to the platform's `deep_link_return_url`. A later launch
of that link carries the custom parameter `seminar_reading`, which links it to the reading.
"""

import secrets
import time

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from seminar.lti import claims as c
from seminar.lti import frames
from seminar.lti.keys import sign
from seminar.lti.models import Platform, origin_of
from seminar.lti.services import CUSTOM_READING
from seminar.models import Reading, Seminar
from seminar.permissions import can_add_reading

SESSION_KEY = "lti_launch"
SCORE_MAXIMUM = 100


def deep_linking_response(*, platform, deployment_id, settings, reading, launch_url) -> str:
    """The signed `LtiDeepLinkingResponse` for one reading."""
    now = int(time.time())
    item = {
        "type": "ltiResourceLink",
        "title": reading.title,
        "url": launch_url,
        "custom": {CUSTOM_READING: str(reading.pk)},
        "lineItem": {
            "scoreMaximum": SCORE_MAXIMUM,
            "label": reading.title,
            "resourceId": f"reading-{reading.pk}",
        },
    }
    claims = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + 300,
        "nonce": secrets.token_urlsafe(16),
        c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
        c.VERSION: "1.3.0",
        c.DEPLOYMENT_ID: deployment_id,
        c.DL_CONTENT_ITEMS: [item],
    }
    if settings.get("data"):
        claims[c.DL_DATA] = settings["data"]
    return sign(claims)


@require_http_methods(["GET", "POST"])
def deep_link(request):
    launch = request.session.get(SESSION_KEY) or {}
    settings = launch.get("deep_linking")
    if not request.user.is_authenticated or not settings:
        raise PermissionDenied("Open this page from your course's “add an activity” menu.")
    seminar = get_object_or_404(Seminar, pk=launch["seminar"])
    if not can_add_reading(request.user, seminar):
        raise PermissionDenied("Only the seminar's instructors add readings to the course.")
    origins = request.session.get(frames.SESSION_KEY) or []
    if request.method == "POST":
        reading = get_object_or_404(Reading, pk=request.POST.get("reading"), seminar=seminar)
        platform = get_object_or_404(Platform, pk=launch["platform"])
        token = deep_linking_response(
            platform=platform,
            deployment_id=launch["deployment_id"],
            settings=settings,
            reading=reading,
            launch_url=request.build_absolute_uri(reverse("lti_launch")),
        )
        request.session.pop(SESSION_KEY)  # one answer per deep-linking request
        return_url = settings["deep_link_return_url"]
        response = render(
            request,
            "seminar/lti/deep_link_return.html",
            {"return_url": return_url, "jwt": token, "reading": reading},
        )
        frames.frameable(response, origins)
        policy = response.headers["Content-Security-Policy"]
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", f"form-action 'self' {origin_of(return_url)}"
        )
        return response
    readings = seminar.readings.all()
    response = render(
        request, "seminar/lti/deep_link.html", {"seminar": seminar, "readings": readings}
    )
    return frames.frameable(response, origins)
