"""The staff's "Before class" page of a reading, and reminding who has not posted yet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from annotations.insight import before
from annotations.insight.permissions import can_remind, can_see_insight
from annotations.insight.services import group_named
from annotations.presenting import name_mentions
from seminar.access import access_staff_reading
from seminar.errors import ServiceError
from seminar.models import Group


def _insight_allowed(user, reading):
    return can_see_insight(user, reading.seminar)


def _remind_allowed(user, reading):
    return can_remind(user, reading.seminar)


def _group(reading, source):
    # A bad id shows the whole class with a note, never an error page: it is a filter.
    try:
        return group_named(seminar=reading.seminar, group_id=source.get("group")), ""
    except ServiceError as problem:
        return None, str(problem)


@login_required
def before_class(request, slug, reading_slug):
    reading = access_staff_reading(request.user, slug, reading_slug, allowed=_insight_allowed)
    group, problem = _group(reading, request.GET)
    if problem:
        messages.error(request, problem)
    questions = before.questions_open(reading=reading, user=request.user, group=group)
    helpful = before.most_helpful(reading=reading, group=group)
    name_mentions(request.user, [*questions, *helpful])
    chart = before.posts_per_day(reading=reading, group=group)
    context = {
        "seminar": reading.seminar,
        "reading": reading,
        "group": group,
        "groups": Group.objects.filter(seminar=reading.seminar).order_by("name"),
        "passages": before.discussed_passages(reading=reading, group=group),
        "questions": questions[: before.QUESTIONS],
        "questions_total": len(questions),
        "helpful": helpful,
        "quiet": list(before.not_posted(reading=reading, group=group)),
        "chart": chart,
        "total_posts": chart.total,
        "can_remind": can_remind(request.user, reading.seminar),
    }
    return render(request, "annotations/insight/before_class.html", context)


@login_required
@require_POST
def remind(request, slug, reading_slug):
    reading = access_staff_reading(request.user, slug, reading_slug, allowed=_remind_allowed)
    back = reverse("reading_insight", kwargs={"slug": slug, "reading_slug": reading_slug})
    group, problem = _group(reading, request.POST)
    if problem:
        messages.error(request, problem)
        return redirect(back)
    if group is not None:
        back += f"?group={group.pk}"
    try:
        sent, skipped = before.quiet_remind(reading=reading, by=request.user, group=group)
    except ServiceError as refusal:
        messages.info(request, str(refusal))
        return redirect(back)
    if sent:
        messages.success(
            request, f"Reminded {sent} student{pluralize(sent)} to join the discussion."
        )
    if skipped:
        messages.info(
            request,
            f"{skipped} student{pluralize(skipped)} reminded in the last "
            f"{int(before.REMIND_AGAIN_AFTER.total_seconds() // 3600)} hours "
            f"{pluralize(skipped, 'was,were')} not reminded again.",
        )
    return redirect(back)
