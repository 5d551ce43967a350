"""The search page, `/s/<slug>/search/?q=…`: a GET form that works without script, the
results with their marked words, filters and pages (templates/annotations/search/)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from annotations.search.forms import SearchForm
from annotations.search.services import Results, search, searchable_readings
from seminar.access import access_seminar
from seminar.errors import ServiceError


@login_required
def seminar_search(request, slug):
    seminar = access_seminar(request.user, slug)
    form = SearchForm(request.GET)
    found, status = Results(query=request.GET.get("q", "")), 200
    if form.is_valid():
        try:
            found = search(user=request.user, seminar=seminar, **form.params())
        except ServiceError as error:
            name, _, message = str(error).partition(": ")
            form.add_error(name if name in form.fields else None, message or str(error))
            status = 400
    else:
        status = 400
    if status != 200:
        found.readings = searchable_readings(user=request.user, seminar=seminar)
    query = form.cleaned_data.get("q", "") if form.is_bound and not form.errors else ""
    context = {
        "seminar": seminar,
        "form": form,
        "found": found,
        "searched": bool(query.strip()),
        "query": query,
        "filters": _filters(request),
    }
    return render(request, "annotations/search/results.html", context, status=status)


def _filters(request):
    """The query string without `page`, for the pages' links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
