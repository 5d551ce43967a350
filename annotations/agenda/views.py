"""The dashboard (every seminar of the person) and a seminar's page (its readings), each
saying what to do next: what is due, what is new, what awaits the staff (services.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from annotations.agenda import services as agenda
from annotations.agenda.unread import unread_version
from seminar import pagecache
from seminar.access import access_seminar
from seminar.permissions import can_add_reading, can_manage_seminar, can_teach, role_in


@login_required
def dashboard(request):
    cards = agenda.dashboard(user=request.user)
    return render(request, "seminar/dashboard.html", {"cards": cards})


@login_required
def seminar_detail(request, slug):
    seminar = access_seminar(request.user, slug)
    now = timezone.now()
    stamp = agenda.seminar_stamp(user=request.user, seminar=seminar, now=now)
    if can_teach(request.user, seminar):
        # The staff's page counts what awaits them across the seminar (moderation), which
        # has no version to key it by: made afresh each time.
        return render(
            request, "seminar/seminar_detail.html", seminar_context(request, seminar, stamp, now)
        )
    # Kept per person (seminar/pagecache.py) under what the page shows: the seminar, the
    # role, each reading with the person's counts and its list version, what awaits them
    # (the version of their unread count) and the day, for the due dates.
    parts = (
        pagecache.row_of(seminar),
        role_in(request.user, seminar),
        stamp,
        unread_version(request.user, agenda.stamp_unread(stamp), now),
        agenda.open_items(request.user, seminar),
        timezone.get_current_timezone_name(),
        timezone.localdate(now),
    )
    key = pagecache.page_key(request, "seminar", parts)
    return pagecache.kept(request, key) or pagecache.render_kept(
        request, key, "seminar/seminar_detail.html", seminar_context(request, seminar, stamp, now)
    )


def seminar_context(request, seminar, stamp, now):
    teaching = can_teach(request.user, seminar)
    # Staff keep the instructor's order (they rearrange it here); students see what is due.
    rows = agenda.seminar_rows(
        user=request.user, seminar=seminar, stamp=stamp, by_due=not teaching, now=now
    )
    return {
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
