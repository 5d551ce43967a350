"""The OAuth2 token and Names and Roles sync, against the test platform over real HTTP."""

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from annotations.models import Annotation
from annotations.services import annotation_create
from seminar.lti import claims as c
from seminar.lti import tokens
from seminar.lti.keys import public_keyset, signing_key
from seminar.lti.models import LtiContext, LtiIdentity
from seminar.lti.roster import next_page, roster_sync
from seminar.lti.tasks import roster_sync_task
from seminar.models import Membership, Role
from tests.conftest import import_reading
from tests.texts import BLOG


def instructor_launch(lms, client, capture, *, execute=True):
    with capture(execute=execute):
        response = lms.launch(
            client,
            sub="prof-1",
            roles=[c.INSTRUCTOR],
            name="Grace Hopper",
            **{c.NRPS: {"context_memberships_url": lms.memberships_url}},
        )
    assert response.status_code == 302
    return LtiContext.objects.get()


def roster(lms, *extra):
    return [
        lms.member("prof-1", [c.INSTRUCTOR], name="Grace Hopper"),
        lms.member("ta-1", [c.TEACHING_ASSISTANT], name="Alan Turing"),
        lms.member("student-1", [c.LEARNER], name="Ada Lovelace"),
        lms.member("student-2", [c.LEARNER], name="Emmy Noether"),
        *extra,
    ]


def test_token_request_carries_a_client_assertion_the_platform_verifies(lms, db):
    token = tokens.access_token(lms.platform, [tokens.NRPS_SCOPE])
    assert lms.tokens[token] == {tokens.NRPS_SCOPE}
    [claims] = lms.assertions
    assert claims["iss"] == claims["sub"] == lms.client_id
    assert claims["aud"] == lms.token_url
    assert claims["exp"] - claims["iat"] == 300 and claims["jti"]
    # Signed by the key the tool publishes at /lti/jwks/.
    [(_m, _p, _h, body)] = [r for r in lms.requests if r[1].endswith("/token")][-1:]
    form = dict(pair.split("=", 1) for pair in body.decode().split("&"))
    assert form["grant_type"] == "client_credentials"
    assertion = form["client_assertion"]
    decoded = jwt.decode(assertion, KeySet.import_key_set(public_keyset()), ["RS256"])
    assert decoded.claims["jti"] == claims["jti"]
    # Cached (shared cache) until shortly before expiry: no second request.
    assert tokens.access_token(lms.platform, [tokens.NRPS_SCOPE]) == token
    assert len(lms.assertions) == 1
    # Another set of scopes is another token.
    both = [tokens.AGS_LINEITEM_SCOPE, tokens.AGS_SCORE_SCOPE]
    assert tokens.access_token(lms.platform, both) != token
    assert lms.tokens[tokens.access_token(lms.platform, both)] == set(both)


def test_a_token_url_that_refuses_is_an_error(lms, db):
    # The LMS holds another key under the tool's key id: the assertion does not verify.
    impostor = RSAKey.generate_key(2048, parameters={"kid": signing_key().kid, "alg": "RS256"})
    lms.trust_tool({"keys": [impostor.as_dict(private=False)]})
    with pytest.raises(tokens.PlatformError, match="401"):
        tokens.access_token(lms.platform, [tokens.NRPS_SCOPE])


def test_instructor_launch_syncs_the_roster_with_roles(
    lms, client, django_capture_on_commit_callbacks
):
    lms.members = roster(lms)
    lti_context = instructor_launch(lms, client, django_capture_on_commit_callbacks)
    seminar = lti_context.seminar
    roles = {
        m.user.lti_ids.get().sub: m.role
        for m in Membership.objects.filter(seminar=seminar).select_related("user")
    }
    assert roles == {
        "prof-1": Role.INSTRUCTOR,
        "ta-1": Role.TA,
        "student-1": Role.STUDENT,
        "student-2": Role.STUDENT,
    }
    ada = LtiIdentity.objects.get(sub="student-1").user
    assert ada.display_name == "Ada Lovelace" and ada.email == "student-1@lms.example.edu"
    assert not ada.has_usable_password()
    # The roster's accounts are the ones a launch signs into: linked by sub.
    client.logout()
    lms.launch(client, sub="student-1")
    assert client.session["_auth_user_id"] == str(ada.pk)
    assert Membership.objects.filter(seminar=seminar).count() == 4


def test_student_launch_does_not_sync(lms, client, django_capture_on_commit_callbacks):
    lms.members = roster(lms)
    instructor_launch(lms, client, django_capture_on_commit_callbacks, execute=False)
    client.logout()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lms.launch(
            client,
            sub="student-1",
            **{c.NRPS: {"context_memberships_url": lms.memberships_url}},
        )
    assert callbacks == []
    assert not [r for r in lms.requests if "/nrps/" in r[1]]


def test_those_who_left_are_marked_and_keep_their_posts(
    lms, client, django_capture_on_commit_callbacks
):
    lms.members = roster(lms, lms.member("student-3", [c.LEARNER], name="Rosalind Franklin"))
    lti_context = instructor_launch(lms, client, django_capture_on_commit_callbacks)
    seminar = lti_context.seminar
    reading = import_reading(seminar, BLOG)
    emmy = LtiIdentity.objects.get(sub="student-2").user
    rosalind = LtiIdentity.objects.get(sub="student-3").user
    post, _ = annotation_create(reading=reading, author=emmy, kind="comment", text="Mine")
    # Emmy is Inactive now; Rosalind is no longer listed at all.
    lms.members = roster(lms)
    lms.members[3]["status"] = "Inactive"
    result = roster_sync(lti_context=lti_context)
    assert (result.added, result.left) == (0, 2)
    left = Membership.objects.filter(seminar=seminar, left_lms__isnull=False)
    assert {m.user for m in left} == {emmy, rosalind}
    assert Annotation.objects.get(pk=post.pk).author == emmy  # nothing deleted
    assert Membership.objects.filter(seminar=seminar).count() == 5
    # The roster page says so, and offers the sync.
    page = client.get(f"/s/{seminar.slug}/roster/")
    html = page.content.decode()
    assert html.count("Left the LMS course") == 2
    assert "Sync roster from the LMS" in html
    # Back in the course: the mark goes.
    lms.members = roster(lms)
    again = roster_sync(lti_context=lti_context)
    assert again.updated == 1 and again.left == 0
    assert Membership.objects.get(seminar=seminar, user=emmy).left_lms is None
    assert Membership.objects.get(seminar=seminar, user=rosalind).left_lms is not None


def test_pages_are_followed(lms, client, django_capture_on_commit_callbacks):
    extra = [lms.member(f"student-{n}", [c.LEARNER]) for n in range(3, 8)]
    lms.members, lms.page_size = roster(lms, *extra), 3
    lti_context = instructor_launch(lms, client, django_capture_on_commit_callbacks)
    assert Membership.objects.filter(seminar=lti_context.seminar).count() == 9
    pages = [r[1] for r in lms.requests if "/nrps/" in r[1]]
    assert len(pages) == 3 and pages[1].endswith("?page=2")
    assert roster_sync(lti_context=lti_context).pages == 3


def test_next_link_header():
    header = '<https://lms/a?page=1>; rel="first", <https://lms/a?page=3>; rel="next"'
    assert next_page(header) == "https://lms/a?page=3"
    assert next_page('<https://lms/a>; rel="prev"') == ""


def test_a_failing_roster_marks_nobody(lms, client, django_capture_on_commit_callbacks):
    lms.members = roster(lms)
    lti_context = instructor_launch(lms, client, django_capture_on_commit_callbacks)
    lms.fail["/nrps/memberships"] = 500
    outcome = roster_sync_task.call(lti_context.pk)
    assert outcome == "failed: the roster answered 500"
    assert not Membership.objects.filter(left_lms__isnull=False).exists()


def test_a_half_read_roster_marks_nobody(lms, client, django_capture_on_commit_callbacks):
    lms.members, lms.page_size = roster(lms), 2
    lti_context = instructor_launch(lms, client, django_capture_on_commit_callbacks)
    lms.members = lms.members[:2] + [lms.member("x", [c.LEARNER]), lms.member("y", [c.LEARNER])]
    lms.fail["/nrps/memberships"] = 500  # every page fails: nothing applied
    assert roster_sync_task.call(lti_context.pk).startswith("failed")
    assert Membership.objects.filter(seminar=lti_context.seminar).count() == 4


def test_the_roster_button_queues_a_sync(lms, client, django_capture_on_commit_callbacks):
    lms.members = roster(lms)[:1]
    lti_context = instructor_launch(lms, client, django_capture_on_commit_callbacks)
    lms.members = roster(lms)
    url = f"/lti/seminars/{lti_context.seminar.slug}/roster-sync/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "Roster sync from the LMS queued" in response.content.decode()
    assert Membership.objects.filter(seminar=lti_context.seminar).count() == 4
    # A student may not.
    client.logout()
    lms.launch(client, sub="student-1")
    denied = client.post(url)
    assert denied.status_code in (403, 404)


def test_no_button_without_an_lms_course(client, instructor, seminar):
    client.force_login(instructor)
    page = client.get(f"/s/{seminar.slug}/roster/")
    assert "Sync roster from the LMS" not in page.content.decode()
