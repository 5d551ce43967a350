"""The JSON API (django-ninja): authentication, errors, and the seminar endpoints.

Session cookie + CSRF for the page's own script, `Authorization: Bearer <token>` for scripts.
Every error is `{"detail": "..."}`. Objects come through the same permission functions as the
pages: what a caller may not see is a 404, never a 403 that confirms it exists.
"""

import datetime

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import HttpBearer, SessionAuth

from seminar import outage, throttling
from seminar.apireference import Reference
from seminar.errors import DomainError, NotFound
from seminar.jsonbody import StrictJSONParser, UnstorableText
from seminar.models import Reading, Seminar
from seminar.permissions import (
    can_view_reading,
    can_view_seminar,
    remember_role,
    role_in,
    role_subquery,
)
from seminar.tokens import mark_used, owner_of_key


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        # Guessing tokens is slow: past the limit of unknown tokens from one address, every
        # token from it is refused for a while, a valid one included.
        address = throttling.client_address(request)
        user = owner_of_key(token)
        wait = throttling.blocked("api-token", address)
        if wait:
            raise Throttled(wait=wait)
        if user is None:
            throttling.record("api-token", address)
            return None
        mark_used(user)
        request.user = user
        return user


api = NinjaAPI(
    title="Seminar API",
    version="1",
    description="Readings, annotations and discussion of a Seminar site. See docs/api.md.",
    auth=[BearerToken(), SessionAuth(csrf=True)],
    urls_namespace="api",
    parser=StrictJSONParser(),
    throttle=[throttling.WriteThrottle()],
    # /api/docs: a server-rendered, accessible reference in the site's layout, not Swagger UI.
    docs=Reference(),
)


def _error(request, status, detail):
    return api.create_response(request, {"detail": detail}, status=status)


def _describe(errors):
    parts = []
    for error in errors[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "payload"))
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else error.get("msg", ""))
    return "Invalid request: " + "; ".join(parts)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    return _error(request, 400, _describe(exc.errors))


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    if isinstance(exc, Throttled):
        wait = int(exc.wait or 60)
        response = _error(request, 429, throttling.wait_message(wait))
        response["Retry-After"] = str(wait)
        return response
    # Ninja wraps every parser failure in one vague 400; ours says which field to fix.
    if isinstance(exc.__cause__, UnstorableText):
        return _error(request, 400, str(exc.__cause__))
    if isinstance(exc.__cause__, ValueError) and exc.status_code == 400:
        return _error(request, 400, "The request body is not valid JSON.")
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unreachable(request, exc):
    # A restart or failover of the database: say so and when to retry (seminar/outage.py).
    return outage.unavailable(request)


@api.exception_handler(DomainError)
def on_domain_error(request, exc):
    # A service's refusal, in its words; "not found" always in the same words, so that a
    # post one may not see reads exactly like one that does not exist.
    if isinstance(exc, NotFound):
        return _error(request, 404, "Not found, or you may not see it.")
    return _error(request, exc.status, str(exc))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "Not found, or you may not see it.")


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return _error(request, 403, str(exc) or "You may not do that.")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, 401, "Log in, or send a valid API token as 'Authorization: Bearer …'.")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return _error(request, 413, "The request is too large.")


def access_seminar_api(user, seminar_id):
    seminar = get_object_or_404(Seminar, pk=seminar_id)
    if not can_view_seminar(user, seminar):
        raise Http404
    return seminar


def access_reading_api(user, reading_id, *, readings=None):
    """The reading with its seminar and current text, or 404. `readings`: where to look
    instead, for an endpoint that needs other columns."""
    if readings is None:
        readings = Reading.objects.select_related("seminar", "current_revision")
    if user.is_authenticated:  # the caller's role comes with the reading: one query, not two
        readings = readings.annotate(caller_role=role_subquery(user))
    reading = get_object_or_404(readings, pk=reading_id)
    if user.is_authenticated:
        remember_role(user, reading.seminar_id, reading.caller_role)
    if not can_view_reading(user, reading):
        raise Http404
    return reading


router = Router(tags=["seminars"])


class SeminarOut(Schema):
    id: int
    title: str
    term: str
    slug: str
    role: str
    anonymous_peers: bool


class ReadingSummary(Schema):
    id: int
    seminar: int
    title: str
    slug: str
    status: str
    revision: int | None
    url: str
    peer_visibility: str = Field(
        ..., description="When students see classmates' posts: always, after_posting, after_due."
    )
    discussion: str = Field(..., description="Among whom: class, or groups (each by itself).")


class ReadingOut(ReadingSummary):
    byline: str
    date: datetime.date | None
    due: datetime.datetime | None
    text: str


def seminar_out(seminar, role):
    return {
        "id": seminar.pk,
        "title": seminar.title,
        "term": seminar.term,
        "slug": seminar.slug,
        "role": role,
        "anonymous_peers": seminar.anonymous_peers,
    }


def reading_out(reading, *, text=False):
    data = {
        "id": reading.pk,
        "seminar": reading.seminar_id,
        "title": reading.title,
        "slug": reading.slug,
        "status": reading.status,
        "revision": reading.current_revision_id,
        "url": reading.get_absolute_url(),
        "peer_visibility": reading.peer_visibility,
        "discussion": reading.discussion,
    }
    if text:
        data.update(
            byline=reading.byline,
            date=reading.date,
            due=reading.due,
            text=reading.current_revision.text if reading.current_revision else "",
        )
    return data


@router.get("/seminars", response=list[SeminarOut])
def list_seminars(request):
    memberships = request.user.memberships.select_related("seminar").order_by("-seminar__created")
    return [seminar_out(m.seminar, m.role) for m in memberships]


@router.get("/seminars/{seminar_id}", response=SeminarOut)
def get_seminar(request, seminar_id: int):
    seminar = access_seminar_api(request.user, seminar_id)
    return seminar_out(seminar, role_in(request.user, seminar))


@router.get("/seminars/{seminar_id}/readings", response=list[ReadingSummary])
def list_readings(request, seminar_id: int):
    seminar = access_seminar_api(request.user, seminar_id)
    readings = (
        Reading.objects.filter(seminar=seminar).visible_to(request.user).select_related("seminar")
    )
    return [reading_out(r) for r in readings.order_by("position", "id")]


api.add_router("", router)
# GET and PUT /readings/{id} live with the annotation endpoints: one router must own a path,
# and changing a reading's text re-anchors annotations (annotations.api).
