"""The staff's seminar activity page and its CSV (to be written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from annotations.insight.permissions import can_see_insight
from seminar.access import access_staff_seminar


@login_required
def activity(request, slug):
    access_staff_seminar(request.user, slug, allowed=can_see_insight)
    return HttpResponse("activity")


@login_required
def activity_csv(request, slug):
    access_staff_seminar(request.user, slug, allowed=can_see_insight)
    return HttpResponse("activity csv")
