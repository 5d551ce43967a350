"""The "New term from this seminar" page (to be written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from seminar.access import access_staff_seminar


@login_required
def new_term(request, slug):
    access_staff_seminar(request.user, slug)
    return HttpResponse("new term")
