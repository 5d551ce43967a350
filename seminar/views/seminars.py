"""Seminars, joining and the roster. (The dashboard and a seminar's page say what each
reading asks of a person, which needs their posts: annotations/agenda/views.py.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from seminar import services, throttling
from seminar.access import access_staff_seminar
from seminar.forms import JoinForm, MemberAddForm, RoleForm, SeminarForm
from seminar.models import Membership, Seminar
from seminar.permissions import can_manage_roster, can_manage_seminar


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "seminar/landing.html")


@login_required
def seminar_create(request):
    form = SeminarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        seminar = services.seminar_create(creator=request.user, **form.cleaned_data)
        messages.success(request, "Seminar created. Share the join code with your students.")
        return redirect(seminar)
    return render(request, "seminar/seminar_form.html", {"form": form, "creating": True})


@login_required
def seminar_edit(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_manage_seminar)
    form = SeminarForm(request.POST or None, instance=seminar)
    if request.method == "POST" and form.is_valid():
        services.seminar_update(seminar=seminar, **form.cleaned_data)
        messages.success(request, "Seminar saved.")
        return redirect(seminar)
    return render(request, "seminar/seminar_form.html", {"form": form, "seminar": seminar})


@login_required
@require_POST
def seminar_regenerate_codes(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_manage_seminar)
    services.seminar_regenerate_codes(seminar=seminar)
    messages.success(request, "New join code and invite link made. The old ones no longer work.")
    return redirect("roster", slug=seminar.slug)


@login_required
def join(request):
    form = JoinForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    # Codes are short: wrong ones are counted per account and per address, and past the
    # limit every code is refused for a while (seminar.throttling).
    guessers = (f"user:{request.user.pk}", throttling.client_address(request))
    wait = None
    if request.method == "POST" and form.is_valid():
        wait = throttling.blocked("join-code", *guessers)
        if wait:
            form.add_error("code", throttling.wait_message(wait))
        else:
            try:
                membership = services.membership_join_by_code(
                    user=request.user, code=form.cleaned_data["code"]
                )
            except services.ServiceError as exc:
                form.add_error("code", str(exc))
                for ident in guessers:
                    throttling.record("join-code", ident)
            else:
                messages.success(request, f"You are in {membership.seminar.title}.")
                return redirect(membership.seminar)
    status = 429 if wait else 400 if form.errors else 200
    response = render(request, "seminar/join.html", {"form": form}, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@login_required
def join_invite(request, token):
    guessers = (f"user:{request.user.pk}", throttling.client_address(request))
    wait = throttling.blocked("invite", *guessers)
    if wait:
        response = render(
            request, "seminar/invite.html", {"error": throttling.wait_message(wait)}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    seminar = Seminar.objects.filter(invite_token=token).first()
    if seminar is None:
        for ident in guessers:
            throttling.record("invite", ident)
    if request.method == "POST":
        try:
            membership = services.membership_join_by_invite(user=request.user, token=token)
        except services.ServiceError as exc:
            return render(request, "seminar/invite.html", {"error": str(exc)}, status=404)
        messages.success(request, f"You are in {membership.seminar.title}.")
        return redirect(membership.seminar)
    if seminar is None:
        error = "This invite link is not valid any more. Ask your instructor for a new one."
        return render(request, "seminar/invite.html", {"error": error}, status=404)
    already = Membership.objects.filter(seminar=seminar, user=request.user).exists()
    return render(request, "seminar/invite.html", {"seminar": seminar, "already": already})


@login_required
def roster(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_manage_roster)
    members = seminar.memberships.select_related("user").by_role()
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(seminar=seminar, **form.cleaned_data)
        except services.ServiceError as exc:
            form.add_error("who", str(exc))
        else:
            messages.success(request, "Member added.")
            return redirect("roster", slug=seminar.slug)
    context = {
        "seminar": seminar,
        "members": members,
        "form": form,
        "role_form": RoleForm(),
        "invite_url": request.build_absolute_uri(seminar.invite_path()),
        "lms_roster": seminar.lti_contexts.exclude(memberships_url="").exists(),
    }
    return render(request, "seminar/roster.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def member_role(request, slug, pk):
    seminar = access_staff_seminar(request.user, slug, allowed=can_manage_roster)
    membership = get_object_or_404(Membership, seminar=seminar, pk=pk)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ServiceError("Choose instructor, TA or student.")
        membership = services.membership_set_role(
            membership=membership, role=form.cleaned_data["role"]
        )
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user.name} is now {membership.get_role_display()}.")
    return redirect("roster", slug=seminar.slug)


@login_required
@require_POST
def member_remove(request, slug, pk):
    seminar = access_staff_seminar(request.user, slug, allowed=can_manage_roster)
    membership = get_object_or_404(Membership, seminar=seminar, pk=pk)
    try:
        services.membership_remove(membership=membership, by=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user.name} was removed from the seminar.")
    return redirect("roster", slug=seminar.slug)
