"""Importing annotations onto a reading (to be written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from seminar.access import access_staff_reading


@login_required
def import_annotations(request, slug, reading_slug):
    access_staff_reading(request.user, slug, reading_slug)
    return HttpResponse("import annotations")
