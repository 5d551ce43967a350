"""The staff's "Before class" page of a reading, and reminding who has not posted yet."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from annotations.insight.permissions import can_see_insight
from seminar.access import access_staff_reading


def _insight_allowed(user, reading):
    return can_see_insight(user, reading.seminar)


@login_required
def before_class(request, slug, reading_slug):
    access_staff_reading(request.user, slug, reading_slug, allowed=_insight_allowed)
    return HttpResponse("Before class")  # filled in below


@login_required
@require_POST
def remind(request, slug, reading_slug):
    access_staff_reading(request.user, slug, reading_slug, allowed=_insight_allowed)
    return HttpResponse("remind")
