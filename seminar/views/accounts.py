"""Sign up and profile. Log in, log out and passwords use django.contrib.auth's views."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from seminar import services, throttling, tokens
from seminar.forms import ProfileForm, SignupForm, TokenForm
from seminar.models import ApiToken
from seminar.services import ServiceError


def safe_next(request, default="dashboard"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def signup(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = SignupForm(request.POST or None, initial={"join_code": request.GET.get("code", "")})
    wait = None
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["join_code"].strip()
        # The same count of wrong codes as /join/ (there is no account yet: the address).
        guesser = throttling.client_address(request)
        wait = throttling.blocked("join-code", guesser) if code else None
        if wait:
            form.add_error("join_code", throttling.wait_message(wait))
        else:
            try:
                with transaction.atomic():  # a wrong code makes no account
                    user = form.save()
                    membership = (
                        services.membership_join_by_code(user=user, code=code) if code else None
                    )
            except ServiceError as exc:
                form.add_error("join_code", str(exc))
                throttling.record("join-code", guesser)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                if membership:
                    messages.success(
                        request, f"Welcome, {user.name}. You are in {membership.seminar.title}."
                    )
                    return redirect(membership.seminar)
                messages.success(request, f"Welcome, {user.name}. Join a seminar with its code.")
                return redirect(safe_next(request))
    response = render(
        request,
        "registration/signup.html",
        {"form": form, "next": safe_next(request, "")},
        status=429 if wait else 200,
    )
    if wait:
        response["Retry-After"] = str(wait)
    return response


def profile_page(request, *, form=None, token_form=None, new_key=None, status=200):
    context = {
        "form": form or ProfileForm(instance=request.user),
        "token_form": token_form or TokenForm(),
        "tokens": ApiToken.objects.filter(user=request.user, revoked__isnull=True),
        "new_key": new_key,
    }
    return render(request, "registration/profile.html", context, status=status)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("profile")
    return profile_page(request, form=form, status=400 if form.errors else 200)


@login_required
@require_POST
def token_new(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, key = tokens.token_create(user=request.user, name=form.cleaned_data["name"])
        except ServiceError as exc:
            form.add_error("name", str(exc))
        else:
            # Shown once, on this response only; never stored in plain text.
            return profile_page(request, new_key=key)
    return profile_page(request, token_form=form, status=400)


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.token_revoke(token=token)
    messages.success(request, f"Token “{token.name}” revoked. Scripts using it now get 401.")
    return redirect("profile")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, limited per client address and per email address: each request
    sends an email, so asking again and again is refused for a while (seminar.throttling)."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        idents = (throttling.client_address(self.request), f"email:{email}")
        wait = throttling.blocked("password-reset", *idents)
        if wait:
            form.add_error("email", throttling.wait_message(wait))
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        for ident in idents:
            throttling.record("password-reset", ident)
        return super().form_valid(form)
