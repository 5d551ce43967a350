"""Guessing is slow and writing is bounded: logins, join codes, invite links, API tokens,
password resets and API writes, each refused with a 429 past its limit, the right answer
included, and counted in a database table that every worker shares."""

import threading
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from seminar import throttling
from seminar.models import Membership, ThrottleWindow, User
from seminar.tokens import token_create
from tests.apicalls import api
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


def wrong_logins(client, username, times):
    for _ in range(times):
        client.post(LOGIN, {"username": username, "password": "not the password"})


@pytest.mark.django_db
def test_wrong_passwords_lock_the_account_the_right_one_included(client, student, settings):
    wrong_logins(client, student.username, settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, {"username": student.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.text and "Try again in 15 minutes" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lock_holds_on_another_address_and_an_admin_unlocks_it(student, settings):
    wrong_logins(Client(REMOTE_ADDR="10.0.0.1"), student.username, settings.AXES_FAILURE_LIMIT)
    elsewhere = Client(REMOTE_ADDR="10.0.0.2")
    right = {"username": student.username, "password": PASSWORD}
    assert elsewhere.post(LOGIN, right).status_code == 429  # by account
    call_command("axes_reset_username", student.username)
    assert elsewhere.post(LOGIN, right).status_code == 302


@pytest.mark.django_db
def test_one_address_guessing_many_accounts_is_locked(student, student2, settings):
    guesser = Client(REMOTE_ADDR="10.0.0.9")
    for n in range(settings.AXES_FAILURE_LIMIT):
        guesser.post(LOGIN, {"username": f"nobody{n}", "password": "x"})
    right = {"username": student2.username, "password": PASSWORD}
    assert guesser.post(LOGIN, right).status_code == 429  # by address
    assert Client(REMOTE_ADDR="10.0.0.10").post(LOGIN, right).status_code == 302


@pytest.mark.django_db
def test_join_codes_at_sign_up_count_with_those_at_join(client, seminar, outsider):
    def sign_up(username, code):
        return client.post(
            reverse("signup"),
            {
                "username": username,
                "email": f"{username}@example.org",
                "password1": "a long enough passphrase",
                "password2": "a long enough passphrase",
                "join_code": code,
            },
        )

    for n in range(5):
        assert sign_up(f"guess{n}", f"WRONG{n:03d}").status_code == 200
    client.force_login(outsider)
    for n in range(5, 10):
        assert client.post("/join/", {"code": f"WRONG{n:03d}"}).status_code == 400
    client.logout()
    response = sign_up("ada", seminar.join_code)
    assert response.status_code == 429
    assert "Too many attempts. Try again in 15 minutes." in response.text
    assert not User.objects.filter(username__in=["ada", "guess0"]).exists()
    client.force_login(outsider)
    assert client.post("/join/", {"code": seminar.join_code}).status_code == 429


@pytest.mark.django_db
def test_wrong_join_codes_then_the_right_one_is_refused(client, seminar, outsider):
    client.force_login(outsider)
    for n in range(10):
        response = client.post("/join/", {"code": f"WRONG{n:03d}"})
        assert response.status_code == 400
    response = client.post("/join/", {"code": seminar.join_code})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts. Try again in 15 minutes." in response.text
    assert not Membership.objects.filter(seminar=seminar, user=outsider).exists()


@pytest.mark.django_db
def test_invite_links_that_lead_nowhere_are_limited(client, seminar, outsider):
    client.force_login(outsider)
    for n in range(10):
        assert client.get(f"/join/not-a-token-{n}/").status_code == 404
    response = client.get(f"/join/{seminar.invite_token}/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_random_api_tokens_then_a_real_one_are_refused(student):
    _token, key = token_create(user=student, name="script")
    guesser = Client(REMOTE_ADDR="10.0.0.3")
    for n in range(20):
        header = f"Bearer sem_{n:040d}"
        assert guesser.get("/api/seminars", HTTP_AUTHORIZATION=header).status_code == 401
    response = guesser.get("/api/seminars", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many attempts. Try again in")
    assert int(response["Retry-After"]) > 0
    other = Client(REMOTE_ADDR="10.0.0.4")
    assert other.get("/api/seminars", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


@pytest.mark.django_db
def test_api_writes_per_user_are_limited(client, settings, student, blog_reading):
    settings.SEMINAR_THROTTLES = {"api-write": (3, 60)}
    client.force_login(student)
    body = {"kind": "comment", "text": "A page comment."}
    path = f"/readings/{blog_reading.pk}/annotations"
    for _ in range(3):
        assert api(client, "post", path, body).status_code == 201
    response = api(client, "post", path, body)
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many attempts. Try again in 1 minute."}
    assert 0 < int(response["Retry-After"]) <= 61
    assert api(client, "get", path).status_code == 200  # reading is not writing
    assert blog_reading.annotations.filter(text="A page comment.").count() == 3


@pytest.mark.django_db
def test_password_reset_emails_are_limited(client, student):
    for _ in range(5):
        response = client.post("/accounts/password_reset/", {"email": student.email})
        assert response.status_code == 302
    response = client.post("/accounts/password_reset/", {"email": student.email})
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_counters_live_in_the_shared_database(client, outsider):
    # Not process memory: another worker reads the same rows.
    client.force_login(outsider)
    client.post("/join/", {"code": "WRONG000"})
    keys = list(ThrottleWindow.objects.values_list("key", "count"))
    assert ("join-code", 1) in [(key.split(":")[0], count) for key, count in keys]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's in-memory test database has no threads"
)
@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_each_count(student):
    # One atomic upsert a count: attempts at the same moment cannot all read the same count.
    ident = f"user:{student.pk}"
    barrier, waits = threading.Barrier(8), []

    def write():
        try:
            barrier.wait()
            waits.append(throttling.record("api-write", ident))
        finally:
            connection.close()

    with override_settings(SEMINAR_THROTTLES={"api-write": (5, 60)}):
        threads = [threading.Thread(target=write) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(w is None for w in waits) == [False] * 3 + [True] * 5
    assert ThrottleWindow.objects.get().count == 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL table setting")
@pytest.mark.django_db
def test_counting_writes_nothing_to_the_write_ahead_log():
    # Unlogged: counting a write does not wait for the disk (a crash forgets the counts).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s",
            [ThrottleWindow._meta.db_table],
        )
        assert cursor.fetchone() == ("u",)


@pytest.mark.django_db
def test_a_window_that_ended_starts_again_and_ended_windows_are_swept(student, outsider):
    throttling.record("api-write", f"user:{student.pk}")
    ThrottleWindow.objects.update(ends=time.time() - 1)
    assert throttling.record("api-write", f"user:{student.pk}") is None
    assert ThrottleWindow.objects.get().count == 1  # a new window, not a third attempt
    ThrottleWindow.objects.update(ends=time.time() - 1)
    throttling.record("join-code", f"user:{outsider.pk}")  # a new guessing window sweeps
    assert [key.split(":")[0] for key in ThrottleWindow.objects.values_list("key", flat=True)] == [
        "join-code"
    ]
