"""Every refused launch: the status, a clear page, the log line, and nothing created."""

import base64
import datetime
import hashlib
import hmac
import json
import logging
import time

import pytest
from joserfc.jwk import RSAKey

from seminar.lti import claims as c
from seminar.lti.launch import state_cookie_name
from seminar.lti.models import LtiContext, LtiIdentity, LtiLaunchState, LtiResourceLink
from seminar.models import Membership, Seminar, User


@pytest.fixture
def refusal(caplog):
    """refusal(response, status, reason): the page, the log line, nothing made."""
    caplog.set_level(logging.WARNING, logger="seminar.lti")

    def check(response, status, reason):
        assert response.status_code == status
        assert b"Seminar could not open" in response.content or b"new tab" in response.content
        lines = [r.getMessage() for r in caplog.records if r.name == "seminar.lti"]
        assert any(reason in line for line in lines), lines
        for model in (User, Seminar, Membership, LtiIdentity, LtiContext, LtiResourceLink):
            assert not model.objects.exists(), model
        assert not response.wsgi_request.user.is_authenticated

    return check


def start(lms, client):
    """A real login; returns (auth params, claims for an instructor's launch)."""
    auth = lms.auth_request(lms.login(client))
    return auth, lms.claims(sub="prof-1", roles=[c.INSTRUCTOR], nonce=auth["nonce"])


def post(client, token, state):
    return client.post("/lti/launch/", {"id_token": token, "state": state})


def test_bad_signature(lms, client, refusal):
    auth, claims = start(lms, client)
    forger = RSAKey.generate_key(2048, parameters={"kid": lms.kid})
    response = post(client, lms.sign(claims, key=forger), auth["state"])
    refusal(response, 403, "bad signature")


def test_tampered_payload_fails_the_signature(lms, client, refusal):
    auth, claims = start(lms, client)
    token = lms.sign(claims)
    header, payload, signature = token.split(".")
    other = lms.sign({**claims, "sub": "someone-else"}).split(".")[1]
    refusal(post(client, f"{header}.{other}.{signature}", auth["state"]), 403, "bad signature")


def _part(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_unsigned_token_alg_none(lms, client, refusal):
    auth, claims = start(lms, client)
    token = f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(claims)}."
    refusal(post(client, token, auth["state"]), 403, "algorithm 'none' not allowed")


def test_hmac_signed_with_the_public_key(lms, client, refusal):
    # The classic confusion: an HS256 token whose secret is the platform's public key.
    auth, claims = start(lms, client)
    signing_input = f"{_part({'alg': 'HS256', 'kid': lms.kid})}.{_part(claims)}"
    secret = lms.key.as_pem(private=False)
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    refusal(post(client, token, auth["state"]), 403, "algorithm 'HS256' not allowed")


def test_wrong_aud(lms, client, refusal):
    auth, claims = start(lms, client)
    claims["aud"] = "another-tool"
    refusal(post(client, lms.sign(claims), auth["state"]), 403, "is not our client id")


def test_aud_list_without_our_azp(lms, client, refusal):
    auth, claims = start(lms, client)
    claims["aud"] = [lms.client_id, "another-tool"]
    claims["azp"] = "another-tool"
    refusal(post(client, lms.sign(claims), auth["state"]), 403, "azp 'another-tool'")


def test_aud_list_with_our_azp_is_accepted(lms, client):
    auth, claims = start(lms, client)
    claims["aud"], claims["azp"] = [lms.client_id, "another-tool"], lms.client_id
    assert post(client, lms.sign(claims), auth["state"]).status_code == 302


def test_expired_exp(lms, client, refusal):
    auth, claims = start(lms, client)
    claims["exp"] = int(time.time()) - 600
    refusal(post(client, lms.sign(claims), auth["state"]), 403, "token expired")


def test_iat_in_the_future(lms, client, refusal):
    auth, claims = start(lms, client)
    claims["iat"] = int(time.time()) + 3600
    refusal(post(client, lms.sign(claims), auth["state"]), 403, "issued in the future")


def test_replayed_launch_with_its_state_and_cookie(lms, client, refusal):
    auth, claims = start(lms, client)
    token = lms.sign(claims)
    assert post(client, token, auth["state"]).status_code == 302
    for model in (User, Seminar, Membership, LtiIdentity, LtiContext, LtiResourceLink):
        model.objects.all().delete()  # so that "nothing created" is about the replay
    attacker = type(client)()
    attacker.cookies[state_cookie_name(auth["state"])] = auth["state"]
    refusal(post(attacker, token, auth["state"]), 403, "state already used")


def test_replayed_nonce_with_a_fresh_state(lms, client, refusal):
    auth, claims = start(lms, client)
    old_token = lms.sign(claims)
    fresh = lms.auth_request(lms.login(client))
    refusal(post(client, old_token, fresh["state"]), 403, "nonce mismatch")


def test_unknown_issuer_at_login(lms, client, refusal):
    response = lms.login(client, iss="https://evil.example.com")
    refusal(response, 403, "issuer 'https://evil.example.com' unknown")
    assert not LtiLaunchState.objects.exists()


def test_unknown_issuer_in_the_token(lms, client, refusal):
    auth, claims = start(lms, client)
    claims["iss"] = "https://evil.example.com"
    refusal(post(client, lms.sign(claims), auth["state"]), 403, "unknown")


def test_unknown_deployment_in_the_token(lms, client, refusal):
    auth, claims = start(lms, client)
    claims[c.DEPLOYMENT_ID] = "deployment-elsewhere"
    response = post(client, lms.sign(claims), auth["state"])
    refusal(response, 403, "deployment 'deployment-elsewhere' not registered")


def test_unknown_deployment_at_login(lms, client, refusal):
    response = lms.login(client, lti_deployment_id="deployment-elsewhere")
    refusal(response, 403, "deployment 'deployment-elsewhere' not registered")


@pytest.mark.parametrize(
    "claim,reason",
    [
        (c.MESSAGE_TYPE, "message_type"),
        (c.VERSION, "version"),
        (c.ROLES, "roles"),
        (c.RESOURCE_LINK, "resource_link"),
        ("sub", "sub"),
        (c.CONTEXT, "context"),
    ],
)
def test_missing_required_claim(lms, client, refusal, claim, reason):
    auth, claims = start(lms, client)
    del claims[claim]
    refusal(post(client, lms.sign(claims), auth["state"]), 400, f"missing claim {reason}")


def test_wrong_version(lms, client, refusal):
    auth, claims = start(lms, client)
    claims[c.VERSION] = "1.1"
    refusal(post(client, lms.sign(claims), auth["state"]), 400, "missing claim version")


def test_tampered_state(lms, client, refusal):
    auth, claims = start(lms, client)
    refusal(post(client, lms.sign(claims), auth["state"] + "x"), 403, "unknown state")


def test_state_of_another_login_in_the_cookie(lms, client, refusal):
    auth, claims = start(lms, client)
    client.cookies[state_cookie_name(auth["state"])] = "someone-elses-state"
    refusal(post(client, lms.sign(claims), auth["state"]), 403, "state cookie mismatch")


def test_expired_state(lms, client, refusal):
    auth, claims = start(lms, client)
    LtiLaunchState.objects.update(
        created=LtiLaunchState.objects.get().created - datetime.timedelta(hours=1)
    )
    refusal(post(client, lms.sign(claims), auth["state"]), 403, "state expired")


def test_no_id_token(lms, client, refusal):
    auth, _ = start(lms, client)
    refusal(client.post("/lti/launch/", {"state": auth["state"]}), 400, "no id_token")


def test_garbage_id_token(lms, client, refusal):
    auth, _ = start(lms, client)
    refusal(post(client, "not-a-jwt", auth["state"]), 400, "malformed id_token")


def test_target_link_uri_of_another_site(lms, client, refusal):
    response = lms.login(client, target="https://evil.example.com/phish")
    refusal(response, 400, "is not this site")


def test_keyset_unreachable(lms, client, refusal):
    auth, claims = start(lms, client)
    lms.platform.keyset_url = "http://127.0.0.1:9/jwks"  # discard port: nothing listens
    lms.platform.save()
    refusal(post(client, lms.sign(claims), auth["state"]), 502, "keyset unavailable")


def test_blocked_third_party_cookies_offer_a_new_tab(lms, client, refusal):
    auth, claims = start(lms, client)
    client.cookies.clear()
    response = post(client, lms.sign(claims), auth["state"])
    refusal(response, 200, "state cookie missing")
    assert b"Open Seminar in a new tab" in response.content
    assert b'target="_blank"' in response.content
    assert b"/lti/login/?iss=https%3A%2F%2Flms.example.edu&amp;login_hint=hint-1" in (
        response.content
    )
    assert LtiLaunchState.objects.get().used is None
