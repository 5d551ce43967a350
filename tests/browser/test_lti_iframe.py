"""An LTI 1.3 launch inside an iframe, as an LMS shows Seminar: a course page served by the
test platform (on 127.0.0.1, another site than the live server's localhost) frames the
OIDC login; the platform's auth endpoint auto-posts the signed id_token back into the frame.
"""

import html
import re
import urllib.parse

import pytest

from seminar.lti import claims as c
from seminar.lti.models import LtiContext
from seminar.models import Reading, ReadingStatus, Role
from tests.browser.conftest import ARTIFACTS
from tests.seminar.lti.platform import PlatformServer, TestPlatform

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def platform_server():
    server = PlatformServer()
    yield server
    server.close()


def course_page(lms, tool_url, *, sub, roles, deep_linking=None):
    """Serve the course page and the auth endpoint of the test platform; `deep_linking`:
    the settings of a deep-linking request, to launch one instead of a resource link."""
    server = lms.server

    def course(query, body):
        login = (
            tool_url
            + "/lti/login/?"
            + urllib.parse.urlencode(
                {
                    "iss": lms.issuer,
                    "login_hint": sub,
                    "target_link_uri": tool_url + "/lti/launch/",
                    "client_id": lms.client_id,
                }
            )
        )
        page = (
            "<!doctype html><title>PEACE 101 · Test LMS</title><h1>PEACE 101</h1>"
            f'<iframe name="tool" title="Seminar" src="{html.escape(login)}" '
            'width="1100" height="640"></iframe>'
        )
        return 200, "text/html; charset=utf-8", page.encode()

    def auth(query, body):
        link = None if deep_linking else "link-1"
        claims = lms.claims(
            sub=query["login_hint"], roles=roles, nonce=query["nonce"], resource_link=link
        )
        if deep_linking:
            claims[c.MESSAGE_TYPE] = c.DEEP_LINKING_REQUEST
            claims[c.DEEP_LINKING_SETTINGS] = deep_linking
        claims[c.TARGET_LINK_URI] = tool_url + "/lti/launch/"
        claims[c.LAUNCH_PRESENTATION] = {"document_target": "iframe", "return_url": server.url}
        fields = {"id_token": lms.sign(claims), "state": query["state"]}
        inputs = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items()
        )
        page = (
            f'<!doctype html><form method="post" action="{html.escape(query["redirect_uri"])}">'
            f"{inputs}</form><script>document.forms[0].submit()</script>"
        )
        return 200, "text/html; charset=utf-8", page.encode()

    server.routes["/course"] = course
    server.routes["/auth"] = auth
    server.routes["/favicon.ico"] = lambda query, body: (200, "image/svg+xml", b"<svg/>")
    return server.url + "/course"


def registered(platform_server):
    lms = TestPlatform(platform_server)
    lms.register()
    lms.platform.frame_origins = platform_server.url
    lms.platform.save()
    return lms


def test_an_instructor_launches_seminar_inside_the_lms_frame(
    open_page, live_server, platform_server
):
    lms = registered(platform_server)
    page = open_page()
    page.goto(course_page(lms, live_server.url, sub="prof-1", roles=[c.INSTRUCTOR]))
    frame = page.frame_locator("iframe[name=tool]")
    heading = frame.get_by_role("heading", name="Intervention and Peacebuilding")
    heading.wait_for()
    assert frame.get_by_role("link", name="Ada Lovelace").is_visible()  # signed in
    context = LtiContext.objects.get()
    membership = context.seminar.memberships.get()
    assert membership.role == Role.INSTRUCTOR
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lti-launch.png"))


def test_blocked_cookies_offer_a_new_tab_that_completes_the_launch(
    open_page, live_server, platform_server
):
    lms = registered(platform_server)
    page = open_page()
    blocked = []

    def drop_cookies_once(route):
        # A browser that keeps no cookie in the frame (Safari, or a strict setting): the
        # state cookie of the first login never comes back.
        response = route.fetch(max_redirects=0)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
        if not blocked:
            blocked.append(route.request.url)
            route.fulfill(response=response, headers=headers)
        else:
            route.fulfill(response=response)

    page.context.route("**/lti/login/**", drop_cookies_once)
    page.goto(course_page(lms, live_server.url, sub="prof-1", roles=[c.INSTRUCTOR]))
    frame = page.frame_locator("iframe[name=tool]")
    link = frame.get_by_role("link", name="Open Seminar in a new tab")
    link.wait_for()
    assert not LtiContext.objects.exists()
    with page.context.expect_page() as popup_info:
        link.click()
    popup = popup_info.value
    popup.get_by_role("heading", name="Intervention and Peacebuilding").wait_for()
    assert popup.url.startswith(live_server.url + "/s/")
    assert LtiContext.objects.get().seminar.memberships.get().role == Role.INSTRUCTOR


def test_an_instructor_adds_a_reading_to_the_course_by_deep_linking(
    open_page, live_server, platform_server
):
    lms = registered(platform_server)
    received = []

    def returned(query, body):
        # The LMS's deep-link return URL: it gets the signed LtiDeepLinkingResponse.
        received.append(urllib.parse.parse_qs(body.decode()))
        return 200, "text/html; charset=utf-8", b"<!doctype html><title>Added</title><p>Added."

    platform_server.routes["/return"] = returned
    settings = {
        "deep_link_return_url": platform_server.url + "/return",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
    }
    # The course's seminar and a reading in it, from an earlier launch of the instructor.
    page = open_page()
    page.goto(course_page(lms, live_server.url, sub="prof-1", roles=[c.INSTRUCTOR]))
    page.frame_locator("iframe[name=tool]").get_by_role(
        "heading", name="Intervention and Peacebuilding"
    ).wait_for()
    seminar = LtiContext.objects.get().seminar
    Reading.objects.create(
        seminar=seminar,
        title="Peacekeeping Without a Peace to Keep",
        slug="peacekeeping",
        status=ReadingStatus.PUBLISHED,
    )
    page.goto(
        course_page(lms, live_server.url, sub="prof-1", roles=[c.INSTRUCTOR], deep_linking=settings)
    )
    frame = page.frame_locator("iframe[name=tool]")
    choice = frame.get_by_label("Peacekeeping Without a Peace to Keep")
    choice.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lti-deep-link.png"))
    choice.check()
    frame.get_by_role("button", name=re.compile("Add")).click()
    frame.get_by_text("Added.").wait_for()
    assert len(received) == 1 and "JWT" in received[0]
