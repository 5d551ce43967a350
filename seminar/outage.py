"""When the database cannot be reached for a moment (a restart, a failover, SQLite's lock
held past its timeout): a 503 that says to try again, with `Retry-After`, not a 500.

Django closes a connection that failed at the end of the request, so the next request of
the same worker connects afresh; nothing has to be restarted. Nothing was half-saved: every
write is one transaction, and the annotator keeps a draft of what was being sent.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 5
MESSAGE = (
    "Seminar cannot reach its database for a moment. Nothing was half-saved; try again in "
    "a few seconds."
)


def unreachable(exception: BaseException | None) -> bool:
    """Whether the exception (or what it was raised from) is the database out of reach."""
    seen = 0
    while exception is not None and seen < 10:
        if isinstance(exception, OperationalError | InterfaceError):
            return True
        exception, seen = exception.__cause__ or exception.__context__, seen + 1
    return False


def unavailable(request) -> HttpResponse:
    """The 503, as JSON for the API and as the site's page otherwise. No database, no
    request context: the page must render while the database is away."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE}, status=503)
    else:
        html = loader.get_template("503.html").render({"message": MESSAGE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    """handler500 (config/urls.py): Django calls it while handling the exception."""
    if unreachable(sys.exc_info()[1]):
        return unavailable(request)
    return django_server_error(request)
