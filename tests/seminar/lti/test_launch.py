"""LTI 1.3 login → launch, end to end against the test platform (real JWKS over HTTP)."""

import pytest

from seminar.lti import claims as c
from seminar.lti.models import LtiContext, LtiIdentity, LtiLaunchState, LtiResourceLink
from seminar.models import Membership, Reading, ReadingStatus, Role, Seminar, User

INSTRUCTOR = [c.INSTRUCTOR]
TA = [c.INSTRUCTOR, c.TEACHING_ASSISTANT]


def test_login_redirects_to_the_platform_with_state_and_nonce(lms, client):
    response = lms.login(client, lti_message_hint="msg-7")
    auth = lms.auth_request(response)
    assert auth["scope"] == "openid"
    assert auth["response_type"] == "id_token"
    assert auth["response_mode"] == "form_post"
    assert auth["prompt"] == "none"
    assert auth["client_id"] == lms.client_id
    assert auth["redirect_uri"] == "http://testserver/lti/launch/"
    assert auth["login_hint"] == "hint-1"
    assert auth["lti_message_hint"] == "msg-7"
    row = LtiLaunchState.objects.get(state=auth["state"])
    assert row.nonce == auth["nonce"] and row.used is None
    cookie = response.cookies[f"lti_state_{auth['state'][:16]}"]
    assert cookie.value == auth["state"]
    assert cookie["samesite"] == "None" and cookie["secure"] and cookie["httponly"]
    assert cookie.output().endswith("; Partitioned")


def test_login_by_post_too(lms, client):
    lms.auth_request(lms.login(client, method="post"))


def test_instructor_first_launch_creates_the_seminar_and_signs_in(lms, client):
    response = lms.launch(client, sub="prof-1", roles=INSTRUCTOR, name="Dr. Okafor")
    context = LtiContext.objects.get(platform=lms.platform, context_id="course-101")
    seminar = context.seminar
    assert seminar.title == "Intervention and Peacebuilding"
    assert response.status_code == 302
    assert response["Location"] == seminar.get_absolute_url()
    user = LtiIdentity.objects.get(platform=lms.platform, sub="prof-1").user
    assert user.display_name == "Dr. Okafor" and user.email == "prof-1@lms.example.edu"
    assert not user.has_usable_password()
    assert Membership.objects.get(seminar=seminar, user=user).role == Role.INSTRUCTOR
    link = LtiResourceLink.objects.get(context=context)
    assert link.resource_link_id == "link-1" and link.reading is None
    page = client.get(seminar.get_absolute_url())
    assert page.status_code == 200 and page.wsgi_request.user == user


def test_the_session_is_frameable_by_the_lms_and_its_cookies_cross_site(lms, client):
    response = lms.launch(client, sub="prof-1", roles=INSTRUCTOR)
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["samesite"] == "None" and session_cookie["secure"]
    assert session_cookie.output().endswith("; Partitioned")  # kept in the LMS's frame
    page = client.get(response["Location"])
    policy = page["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {lms.issuer}" in policy
    assert "X-Frame-Options" not in page.headers


def test_a_plain_session_keeps_the_site_defaults(client, instructor):
    client.force_login(instructor)
    page = client.get("/dashboard/")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_student_and_ta_join_the_seminar_with_their_roles(lms, client):
    lms.launch(client, sub="prof-1", roles=INSTRUCTOR)
    seminar = LtiContext.objects.get().seminar
    client.logout()
    lms.launch(client, sub="ta-1", roles=TA)
    client.logout()
    response = lms.launch(client, sub="student-1", roles=[c.LEARNER], name="Lena Ortiz")
    assert response["Location"] == seminar.get_absolute_url()
    roles = {m.user.username: m.role for m in seminar.memberships.all()}
    assert sorted(roles.values()) == [Role.INSTRUCTOR, Role.STUDENT, Role.TA]
    student = LtiIdentity.objects.get(sub="student-1").user
    membership = Membership.objects.get(seminar=seminar, user=student)
    assert membership.role == Role.STUDENT and membership.pseudonym


def test_second_launch_reuses_the_account_and_follows_lms_changes(lms, client):
    lms.launch(client, sub="prof-1", roles=INSTRUCTOR)
    client.logout()
    lms.launch(client, sub="s-1", roles=[c.LEARNER], name="Sam Park")
    client.logout()
    lms.launch(client, sub="s-1", roles=TA, name="Sam Park-Lee")
    assert User.objects.filter(lti_ids__sub="s-1").count() == 1
    user = User.objects.get(lti_ids__sub="s-1")
    assert user.display_name == "Sam Park-Lee"
    assert Membership.objects.get(user=user).role == Role.TA
    assert Seminar.objects.count() == 1


def test_student_before_the_instructor_sees_a_clear_page_and_nothing_is_made(lms, client):
    response = lms.launch(client, sub="student-1")
    assert response.status_code == 200
    assert b"Your instructor has not set up Seminar for this course yet" in response.content
    assert not User.objects.exists() and not Seminar.objects.exists()
    assert not response.wsgi_request.user.is_authenticated


def test_a_deep_linked_reading_opens_and_is_linked(lms, client):
    lms.launch(client, sub="prof-1", roles=INSTRUCTOR)
    seminar = LtiContext.objects.get().seminar
    reading = Reading.objects.create(
        seminar=seminar, title="Week 1", slug="week-1", status=ReadingStatus.PUBLISHED
    )
    client.logout()
    response = lms.launch(
        client,
        sub="student-1",
        resource_link="link-2",
        **{c.CUSTOM: {"seminar_reading": str(reading.pk)}},
    )
    assert response["Location"] == reading.get_absolute_url()
    assert LtiResourceLink.objects.get(resource_link_id="link-2").reading == reading


def test_a_reading_of_another_seminar_is_never_linked(lms, client, seminar):
    other = Reading.objects.create(seminar=seminar, title="Elsewhere", slug="elsewhere")
    lms.launch(
        client, sub="prof-1", roles=INSTRUCTOR, **{c.CUSTOM: {"seminar_reading": str(other.pk)}}
    )
    assert LtiResourceLink.objects.get().reading is None


def test_line_item_and_roster_urls_are_kept(lms, client):
    lms.launch(
        client,
        sub="prof-1",
        roles=INSTRUCTOR,
        **{
            c.AGS: {"lineitem": "https://lms.example.edu/lineitems/9", "scope": []},
            c.NRPS: {"context_memberships_url": "https://lms.example.edu/memberships"},
        },
    )
    assert LtiResourceLink.objects.get().line_item_url == "https://lms.example.edu/lineitems/9"
    assert LtiContext.objects.get().memberships_url == "https://lms.example.edu/memberships"


def test_jwks_publishes_the_tool_key(client, db):
    from seminar.lti.keys import tool_key_create

    key = tool_key_create()
    keys = client.get("/lti/jwks/").json()["keys"]
    assert [k["kid"] for k in keys] == [key.kid]
    assert set(keys[0]) >= {"kty", "n", "e", "kid", "alg", "use"}
    assert "d" not in keys[0]


@pytest.mark.parametrize(
    "roles,expected",
    [
        ([c.INSTRUCTOR], "instructor"),
        ([c.INSTITUTION_ADMINISTRATOR], "instructor"),
        (["Instructor"], "instructor"),
        ([c.TEACHING_ASSISTANT], "ta"),
        ([c.INSTRUCTOR, c.TEACHING_ASSISTANT], "ta"),
        ([c.LEARNER], "student"),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], None),
    ],
)
def test_roles_map(roles, expected):
    assert c.seminar_role(roles) == expected


def test_launch_is_post_only(client, db):
    assert client.get("/lti/launch/").status_code == 405
