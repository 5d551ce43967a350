"""Forms of the seminar domain: accounts, seminars and rosters."""

from django import forms
from django.contrib.auth.forms import UserCreationForm

from seminar.models import Role, Seminar, User


class SignupForm(UserCreationForm):
    email = forms.EmailField(help_text="For password resets. Instructors may add you by it.")
    display_name = forms.CharField(
        max_length=80, required=False, help_text="How classmates see you, e.g. “Ada L.”"
    )
    join_code = forms.CharField(
        max_length=20,
        required=False,
        label="Join code",
        help_text="Optional: a seminar's code from your instructor joins you to it at once.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "email")

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account already uses this email. Log in instead.")
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "email")

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another account already uses this email.")
        return email


class SeminarForm(forms.ModelForm):
    class Meta:
        model = Seminar
        fields = (
            "title",
            "term",
            "description",
            "anonymous_peers",
            "premoderation",
            "tas_moderate",
        )
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class JoinForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Join code",
        help_text="Eight letters and digits, from your instructor.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class MemberAddForm(forms.Form):
    who = forms.CharField(max_length=254, label="Username or email")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.TA)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, label="Token name", help_text="What will use it, e.g. “grading script”."
    )
