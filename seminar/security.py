"""Security at the edges: the Content Security Policy, and the key a server must have.

Content Security Policy: the browser runs only our own scripts and styles. Django 5.2 has no
built-in CSP, and the policy is one fixed header, so a small middleware is clearer than a
dependency. No inline scripts or styles anywhere in the templates.

The secret key: settings fall back to a development key so that tests, scripts and management
commands run without one; the server entry points call `refuse_development_key` first.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response


def refuse_development_key():
    """Stop a server from starting on the published development key, unless DEBUG is on."""
    if settings.DEBUG or settings.SECRET_KEY != settings.DEVELOPMENT_KEY:
        return
    raise ImproperlyConfigured(
        "SECRET_KEY is not set, and DEBUG is off: refusing to serve with the development key, "
        "which anyone can read in config/settings.py. Set SECRET_KEY to a long random value, "
        "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))' "
        "(docs/deployment.md), or set DEBUG=1 on a development machine."
    )
