"""`manage.py lti_register` and `manage.py lti_keys`, and key rotation in the JWKS."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet

from seminar.lti.keys import GRACE, sign, tool_key_rotate
from seminar.lti.models import Platform, ToolKey


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def register(*extra):
    return run(
        "lti_register",
        "--issuer=https://canvas.instructure.com",
        "--client-id=10000000000001",
        "--login-url=https://sso.canvaslms.com/api/lti/authorize_redirect",
        "--token-url=https://sso.canvaslms.com/login/oauth2/token",
        "--keyset-url=https://sso.canvaslms.com/api/lti/security/jwks",
        *extra,
    )


def test_register_a_platform_with_deployments(db):
    out = register("--deployment=1:abc", "--deployment=2:def", "--name=Canvas")
    platform = Platform.objects.get()
    assert platform.name == "Canvas" and platform.client_id == "10000000000001"
    assert sorted(platform.deployments.values_list("deployment_id", flat=True)) == [
        "1:abc",
        "2:def",
    ]
    assert "Registered Canvas" in out
    assert "/lti/login/" in out and "/lti/launch/" in out and "/lti/jwks/" in out


def test_register_again_updates_and_adds_deployments(db):
    register("--deployment=1:abc")
    out = register("--deployment=3:ghi", "--frame-origin=https://school.instructure.com")
    platform = Platform.objects.get()
    assert platform.deployments.count() == 2 and "Updated" in out
    assert platform.allowed_frame_origins() == [
        "https://canvas.instructure.com",
        "https://school.instructure.com",
    ]


def test_register_refuses_plain_http_urls(db):
    with pytest.raises(CommandError, match="must be https"):
        run(
            "lti_register",
            "--issuer=https://lms.example.edu",
            "--client-id=x",
            "--login-url=http://lms.example.edu/auth",
            "--keyset-url=https://lms.example.edu/jwks",
        )
    assert not Platform.objects.exists()


def test_keys_made_on_first_use_and_rotated_with_grace(db, client):
    out = run("lti_keys")
    first = ToolKey.objects.get()
    assert first.kid in out and "active" in out
    out = run("lti_keys", "--rotate")
    second = ToolKey.objects.active().get()
    assert second != first and "New signing key" in out
    kids = [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]]
    assert set(kids) == {first.kid, second.kid}  # the old one in its grace period
    ToolKey.objects.filter(pk=first.pk).update(retired=timezone.now() - GRACE * 2)
    kids = [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]]
    assert kids == [second.kid]
    assert "Deleted 1" in run("lti_keys", "--prune")
    assert list(ToolKey.objects.all()) == [second]


def test_what_the_tool_signs_verifies_with_its_jwks(db, client):
    tool_key_rotate()
    token = sign({"iss": "seminar", "aud": "lms", "iat": 1})
    keyset = KeySet.import_key_set(client.get("/lti/jwks/").json())
    assert jwt.decode(token, keyset, algorithms=["RS256"]).claims["iss"] == "seminar"
    # A retired key's tokens still verify during the grace period.
    tool_key_rotate()
    keyset = KeySet.import_key_set(client.get("/lti/jwks/").json())
    assert jwt.decode(token, keyset, algorithms=["RS256"]).claims["aud"] == "lms"
    assert timezone.now() - ToolKey.objects.last().created < datetime.timedelta(minutes=1)
