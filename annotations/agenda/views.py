"""The dashboard (every seminar of the person) and a seminar's page (its readings), each
saying what to do next: what is due, what is new, what awaits the staff (services.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from annotations.agenda import services as agenda
from seminar.access import access_seminar
from seminar.models import Reading
from seminar.permissions import can_add_reading, can_manage_seminar, can_teach


@login_required
def dashboard(request):
    cards = agenda.dashboard(user=request.user)
    return render(request, "seminar/dashboard.html", {"cards": cards})


@login_required
def seminar_detail(request, slug):
    seminar = access_seminar(request.user, slug)
    teaching = can_teach(request.user, seminar)
    # Staff keep the instructor's order (they rearrange it here); students see what is due.
    rows = agenda.reading_rows(
        user=request.user, readings=Reading.objects.filter(seminar=seminar), by_due=not teaching
    )
    context = {
        "seminar": seminar,
        "rows": rows,
        "next_due": None if teaching else agenda.next_due(rows),
        "unread_replies": sum(row.unread_replies for row in rows),
        "can_teach": teaching,
        "can_manage": can_manage_seminar(request.user, seminar),
        "can_add_reading": can_add_reading(request.user, seminar),
        "is_student": not teaching,
        "invite_url": request.build_absolute_uri(seminar.invite_path()),
    }
    return render(request, "seminar/seminar_detail.html", context)
