"""Erasing one's own account, where the site allows it (SEMINAR_SELF_ERASURE)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from annotations.privacy.services import account_erase
from seminar.errors import ServiceError


class EraseForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput, help_text="Your password, to show it is you."
    )


@login_required
def account_erase_view(request):
    if not settings.SEMINAR_SELF_ERASURE:
        raise Http404("This site's administrator erases accounts on request.")
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not request.user.check_password(form.cleaned_data["password"]):
            form.add_error("password", "That is not your password.")
        else:
            try:
                account_erase(user=request.user)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                logout(request)
                messages.success(request, "Your account was erased.")
                return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "annotations/privacy/erase.html", {"form": form}, status=status)
