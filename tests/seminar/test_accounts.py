"""Accounts: sign up, log in and out, profile, password change and reset."""

import hashlib
import re

from django.core import mail
from django.urls import reverse

from seminar.models import Membership, Role, User
from tests.conftest import PASSWORD


def test_sign_up_logs_in_and_keeps_the_display_name(client, db):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "display_name": "Ada L.",
            "email": "ada@example.org",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="ada")
    assert user.name == "Ada L."
    assert "Ada L." in client.get(reverse("dashboard")).text


def test_sign_up_refuses_a_used_email(client, student):
    response = client.post(
        reverse("signup"),
        {
            "username": "other",
            "email": student.email.upper(),
            "password1": "x" * 12,
            "password2": "x" * 12,
        },
    )
    assert response.status_code == 200
    assert "already uses this email" in response.text
    assert not User.objects.filter(username="other").exists()


def signup_data(username, **extra):
    return {
        "username": username,
        "email": f"{username}@example.org",
        "password1": "a long enough passphrase",
        "password2": "a long enough passphrase",
        **extra,
    }


def test_sign_up_with_a_join_code_joins_the_seminar(client, seminar):
    assert 'name="join_code"' in client.get(reverse("signup")).text
    code = f" {seminar.join_code.lower()} "
    response = client.post(reverse("signup"), signup_data("ada", join_code=code), follow=True)
    ada = User.objects.get(username="ada")
    assert Membership.objects.get(seminar=seminar, user=ada).role == Role.STUDENT
    assert response.redirect_chain[-1][0] == seminar.get_absolute_url()
    assert f"You are in {seminar.title}." in response.text


def test_sign_up_with_a_wrong_join_code_makes_no_account(client, seminar):
    response = client.post(reverse("signup"), signup_data("ada", join_code="WRONG123"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "No seminar has that join code" in form.errors["join_code"][0]
    assert not User.objects.filter(username="ada").exists()
    assert "_auth_user_id" not in client.session


def test_sign_up_without_a_join_code_joins_nothing(client, seminar):
    client.post(reverse("signup"), signup_data("ada"))
    assert not Membership.objects.filter(user__username="ada").exists()


def test_log_in_and_out(client, student):
    response = client.post(reverse("login"), {"username": student.username, "password": PASSWORD})
    assert response.url == reverse("dashboard")
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_profile_changes_display_name(client, student):
    client.force_login(student)
    client.post(reverse("profile"), {"display_name": "Lena O.", "email": student.email})
    student.refresh_from_db()
    assert student.name == "Lena O."


def test_password_change(client, student):
    client.force_login(student)
    client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "an even longer one",
            "new_password2": "an even longer one",
        },
    )
    student.refresh_from_db()
    assert student.check_password("an even longer one")


def test_password_reset_by_email(client, student):
    client.post(reverse("password_reset"), {"email": student.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session-held one
    client.post(
        form_url, {"new_password1": "reset passphrase 42", "new_password2": "reset passphrase 42"}
    )
    student.refresh_from_db()
    assert student.check_password("reset passphrase 42")


def test_api_token_is_shown_once_and_stored_hashed(client, student):
    from seminar.models import ApiToken

    client.force_login(student)
    page = client.post(reverse("token_new"), {"name": "grading script"}).text
    key = re.search(r'value="(sem_[^"]+)"', page).group(1)
    token = ApiToken.objects.get(user=student)
    # Only the SHA-256 of the key is kept: a leaked table gives nobody a working token.
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:10]
    later = client.get(reverse("profile")).text
    assert key not in later and "grading script" in later
    api = client.get("/api/seminars", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 200


def test_api_token_revoke_only_your_own(client, student, student2):
    from seminar.tokens import token_create

    token, key = token_create(user=student, name="mine")
    client.force_login(student2)
    assert client.post(reverse("token_revoke", args=[token.pk])).status_code == 404
    client.force_login(student)
    client.post(reverse("token_revoke", args=[token.pk]))
    client.logout()
    assert client.get("/api/seminars", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_token_needs_a_name(client, student):
    client.force_login(student)
    response = client.post(reverse("token_new"), {"name": ""})
    assert response.status_code == 400
    assert "This field is required." in response.text
