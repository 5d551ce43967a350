"""The moderation queue, bulk actions and the audit page. (Notifications: notifications/.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from annotations.models import Action, Annotation, Flag, ModerationEvent
from annotations.moderation.services import annotation_moderate, moderation_queue, open_flag_reasons
from annotations.permissions import can_moderate
from annotations.presenting import name_mentions
from seminar.access import access_staff_seminar
from seminar.errors import NotFound, NotPermitted, ServiceError
from seminar.models import AccessChange, Membership

BULK_ACTIONS = [
    (Action.APPROVE, "Approve"),
    (Action.HIDE, "Hide (give a reason)"),
    (Action.UNHIDE, "Unhide"),
    (Action.DISMISS, "Dismiss flags"),
    (Action.PIN, "Pin"),
    (Action.LOCK, "Lock thread"),
    (Action.DELETE, "Delete"),
]


@login_required
def queue(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_moderate)
    flagged, pending, hidden = moderation_queue(seminar=seminar, moderator=request.user)
    flagged, pending, hidden = list(flagged), list(pending), list(hidden)
    reasons = open_flag_reasons({a.pk for a in flagged})
    name_mentions(request.user, [*flagged, *pending, *hidden])
    for a in flagged:
        a.flag_reasons = reasons.get(a.pk, [])
    # Each author's group (seminar groups), one query: moderators see which section wrote it.
    in_groups = Membership.objects.filter(seminar=seminar, group__isnull=False)
    group_of = dict(in_groups.values_list("user_id", "group__name"))
    for a in (*flagged, *pending, *hidden):
        a.author_group = group_of.get(a.author_id, "")
    context = {
        "seminar": seminar,
        "groups": [
            ("flagged", "Flagged", flagged),
            ("pending", "Awaiting approval", pending),
            ("hidden", "Recently hidden", hidden),
        ],
        "actions": BULK_ACTIONS,
    }
    return render(request, "annotations/moderation_queue.html", context)


@login_required
@require_POST
def bulk(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_moderate)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    if action not in dict(BULK_ACTIONS):
        messages.error(request, "Choose an action for the ticked posts first.")
        return redirect("moderation_queue", slug=seminar.slug)
    if not ids:
        messages.error(request, "Tick the posts to act on first.")
        return redirect("moderation_queue", slug=seminar.slug)
    # Only posts the moderator may see: an id typed in for a private note acts on nothing.
    found = list(
        Annotation.objects.visible_to(request.user).filter(pk__in=ids, reading__seminar=seminar)
    )
    done, problems = 0, []
    missing = len(set(ids)) - len(found)
    if missing:
        # Counted, not listed: which ids exist is not the moderator's to learn.
        problems.append(
            f"{missing} of the ticked posts {pluralize(missing, 'was,were')} not found."
        )
    for annotation in found:
        try:
            annotation_moderate(
                annotation=annotation, moderator=request.user, action=action, reason=reason
            )
            done += 1
        except (ServiceError, NotPermitted, NotFound) as exc:
            problems.append(f"#{annotation.pk}: {exc}")
    if done:
        messages.success(request, f"Done for {done} post{'s' if done != 1 else ''}.")
    for problem in problems[:5]:
        messages.error(request, problem)
    return redirect("moderation_queue", slug=seminar.slug)


# A decision on a post settles its open flags (Flag.dismissed is when): hiding or deleting
# the post agrees with the report; approving, restoring or dismissing does not.
UPHOLDS = {Action.HIDE, Action.DELETE}
SETTLES = UPHOLDS | {Action.APPROVE, Action.UNHIDE, Action.DISMISS}


def _flag_outcomes(flags):
    """Set `outcome` on each settled flag: "Flag upheld" or "Flag dismissed"."""
    settled = [f for f in flags if f.dismissed]
    decisions = ModerationEvent.objects.filter(
        annotation_id__in={f.annotation_id for f in settled}, action__in=SETTLES
    ).order_by("created", "id")
    by_post = {}
    for event in decisions.only("annotation_id", "action", "created"):
        by_post.setdefault(event.annotation_id, []).append(event)
    for flag in settled:
        # The decision is the first one written once the flag was settled.
        decision = next(
            (e for e in by_post.get(flag.annotation_id, []) if e.created >= flag.dismissed), None
        )
        upheld = decision is not None and decision.action in UPHOLDS
        flag.outcome = "Flag upheld" if upheld else "Flag dismissed"


@login_required
def audit(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_moderate)
    events = list(
        ModerationEvent.objects.filter(seminar=seminar)
        .select_related("moderator", "annotation__reading", "annotation__author")
        .order_by("-created", "-id")[:500]
    )
    # Flags are reports, not actions, but the record of a decision reads best beside them.
    flags = list(
        Flag.objects.filter(annotation__reading__seminar=seminar)
        .select_related("user", "annotation__reading", "annotation__author")
        .order_by("-created")[:500]
    )
    _flag_outcomes(flags)
    # Changes to who sees what (annotations/peers) are on the same record.
    settings = list(AccessChange.objects.filter(seminar=seminar).select_related("reading")[:500])
    timeline = sorted(
        [("action", e.created, e) for e in events]
        + [("flag", f.created, f) for f in flags]
        + [("setting", c.created, c) for c in settings],
        key=lambda item: item[1],
        reverse=True,
    )
    return render(
        request,
        "annotations/moderation_audit.html",
        {"seminar": seminar, "timeline": timeline, "events": events},
    )
