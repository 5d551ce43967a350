"""The staff's seminar activity page (/s/<slug>/activity/) and its CSV: numbers per student
and reading, from annotations.insight.activity. `?group=<id>` shows one group's students,
`?reading=<slug>` one reading's numbers; the CSV follows the same two."""

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render

from annotations.insight import activity as service
from annotations.insight.permissions import can_see_insight
from annotations.spreadsheets import stream_csv
from seminar.access import access_staff_seminar
from seminar.errors import ServiceError


def _filters(request):
    return {
        "group_id": request.GET.get("group") or None,
        "reading_slug": request.GET.get("reading") or None,
    }


def _refused(request, seminar, error):
    # The whole seminar's page, saying what was wrong with the filter: a stale link (a group
    # since removed) is not a dead end.
    context = {"seminar": seminar, "activity": service.seminar_activity(seminar), "error": error}
    return render(request, "annotations/insight/activity.html", context, status=400)


@login_required
def activity(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_see_insight)
    try:
        found = service.seminar_activity(seminar, **_filters(request))
    except ServiceError as exc:
        return _refused(request, seminar, str(exc))
    return render(
        request, "annotations/insight/activity.html", {"seminar": seminar, "activity": found}
    )


@login_required
def activity_csv(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_see_insight)
    try:
        found = service.seminar_activity(seminar, **_filters(request))
    except ServiceError as exc:
        return _refused(request, seminar, str(exc))
    response = StreamingHttpResponse(
        stream_csv(service.csv_rows(found), excel=request.GET.get("excel") == "1", safe=True),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{service.csv_name(found)}"'
    return response
