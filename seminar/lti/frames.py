"""Seminar inside the LMS's iframe, for the people who came in by an LTI launch.

A page in a cross-site iframe gets its cookies only if they are `SameSite=None; Secure`,
and may be shown there only if its Content-Security-Policy names the LMS in
`frame-ancestors` (and no `X-Frame-Options: DENY` says otherwise). Everyone else keeps the
site's defaults (Lax cookies, `frame-ancestors 'none'`): the launch stores the LMS's
origins in the session (`SESSION_KEY`), and only such sessions are changed here.

Placed before SessionMiddleware, so that its response half runs after the session and CSRF
cookies are set, and before the CSP middleware's `setdefault`.
"""

import http.cookies

from django.conf import settings

from seminar.security import POLICY

SESSION_KEY = "lti_frame_origins"


def policy_framed_by(origins) -> str:
    """The site's policy with `frame-ancestors` opened to `origins` ("*" for any)."""
    ancestors = " ".join(origins) if origins == ["*"] else " ".join(["'self'", *origins])
    return POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


def frameable(response, origins):
    response.headers["Content-Security-Policy"] = policy_framed_by(origins)
    response.lti_framed = True  # a view's own framing stands (the middleware leaves it)
    response.xframe_options_exempt = True
    if "X-Frame-Options" in response.headers:
        del response.headers["X-Frame-Options"]
    return response


class PartitionedMorsel(http.cookies.Morsel):
    """A cookie with the `Partitioned` attribute (CHIPS), which Python's cookies learn only
    in 3.14. A partitioned cookie is kept per top-level site, so a browser that blocks
    third-party cookies (Chrome's default in some modes) still keeps it inside the LMS's
    frame; one that does not know the attribute ignores it."""

    def OutputString(self, attrs=None):  # noqa: N802 (the stdlib's name)
        return super().OutputString(attrs) + "; Partitioned"


def cross_site_cookie(response, name):
    morsel = response.cookies.get(name)
    if morsel is not None:
        morsel["samesite"] = "None"
        morsel["secure"] = True
        morsel.__class__ = PartitionedMorsel


class LtiFrameMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session the request has read already: loading one here would cost every
        # token-authenticated API call a query, and such a response is never framed.
        accessed = session is not None and getattr(session, "accessed", False)
        origins = session.get(SESSION_KEY) if accessed else None
        if origins:
            if not getattr(response, "lti_framed", False):
                frameable(response, list(origins))
            cross_site_cookie(response, settings.SESSION_COOKIE_NAME)
            cross_site_cookie(response, settings.CSRF_COOKIE_NAME)
        return response
