"""The "New term from this seminar" page: the form, then (after the redirect) what was made.

The result is kept in the session for one look: it is shown on the new seminar's own
new-term page, so a reload neither makes a third seminar nor loses the report.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from annotations.carryover.forms import STATUS_KEEP, NewTermForm, edition_field_name
from annotations.carryover.services import (
    EXEMPLAR_TAG,
    CarryOverReport,
    PostChoice,
    seminar_carry_over,
)
from annotations.revisions.readings import parse_upload
from seminar.access import access_staff_seminar
from seminar.errors import ServiceError
from seminar.models import Reading
from seminar.permissions import can_manage_seminar


def _session_key(seminar) -> str:
    return f"carryover:{seminar.pk}"


def _editions(form):
    """{old reading id: parsed new edition} from the uploads, or None after adding the
    errors to the form."""
    editions, ok = {}, True
    for reading in form.readings:
        name = edition_field_name(reading)
        upload = form.cleaned_data.get(name)
        if not upload:
            continue
        try:
            editions[reading.pk] = parse_upload(data=upload.read(), filename=upload.name)
        except ServiceError as exc:
            form.add_error(name, str(exc))
            ok = False
    return editions if ok else None


@login_required
def new_term(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_manage_seminar)
    if request.method == "GET" and (done := request.session.pop(_session_key(seminar), None)):
        report = CarryOverReport.from_dict(done)
        context = {"seminar": seminar, "report": report}
        return render(request, "annotations/carryover/done.html", context)
    readings = list(
        Reading.objects.filter(seminar=seminar)
        .order_by("position", "id")
        .only("pk", "title", "status", "due", "seminar_id")
    )
    form = NewTermForm(
        request.POST or None,
        request.FILES or None,
        readings=readings,
        initial={"title": seminar.title, "posts": [PostChoice.STAFF]},
    )
    context = {"seminar": seminar, "form": form, "exemplar_tag": EXEMPLAR_TAG}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        editions = _editions(form)
        if editions is not None:
            try:
                new, report = seminar_carry_over(
                    seminar=seminar,
                    by=request.user,
                    title=data["title"],
                    term=data["term"],
                    posts=data["posts"],
                    keep_status=data["status"] == STATUS_KEEP,
                    shift_days=data["shift_days"],
                    editions=editions,
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                request.session[_session_key(new)] = report.as_dict()
                return redirect(reverse("seminar_new_term", args=[new.slug]))
    status = 400 if form.errors else 200
    return render(request, "annotations/carryover/new_term.html", context, status=status)
