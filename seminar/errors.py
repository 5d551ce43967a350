"""Domain errors: what a service says when it will not do something, in words a person can act
on. Services raise these and never an HTTP response or `Http404`; only the HTTP layer turns
them into statuses (the API's handlers in seminar/api.py, `DomainErrorMiddleware` for pages):

| error | means | status |
| --- | --- | --- |
| `ServiceError` | the request cannot be carried out as asked (fix the input) | 400 |
| `Conflict` | it no longer applies: someone acted first, or the state moved on | 409 |
| `NotPermitted` | the caller may see the object but not do this to it | 403 |
| `NotFound` | the object does not exist for this caller (never confirms it exists) | 404 |

`ServiceError` and `Conflict` are messages to show beside a form; `NotPermitted` and
`NotFound` are never caught by a page to be shown as a form error.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404


class DomainError(Exception):
    status = 400


class ServiceError(DomainError, ValueError):
    """A request that cannot be carried out, with the reason in words."""


class Conflict(ServiceError):
    """The action no longer applies: someone else acted first."""

    status = 409


class NotPermitted(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class DomainErrorMiddleware:
    """Pages: a `NotFound` is Django's 404 and a `NotPermitted` its 403, with their templates."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(str(exception)) from exception
        if isinstance(exception, NotPermitted):
            raise PermissionDenied(str(exception)) from exception
        return None
