"""Deep Linking 2.0: the picker, and the signed LtiDeepLinkingResponse the LMS gets."""

import re

from joserfc import jwt
from joserfc.jwk import KeySet

from seminar.lti import claims as c
from seminar.lti.models import LtiContext, LtiResourceLink
from seminar.models import Reading, ReadingStatus

RETURN_URL = "https://lms.example.edu/deep_links/return"
SETTINGS = {
    "deep_link_return_url": RETURN_URL,
    "accept_types": ["ltiResourceLink"],
    "accept_presentation_document_targets": ["iframe", "window"],
    "data": "opaque-42",
}


def deep_link_launch(lms, client, *, sub="prof-1", roles=(c.INSTRUCTOR,)):
    return lms.launch(
        client,
        sub=sub,
        roles=list(roles),
        resource_link=None,
        change={c.MESSAGE_TYPE: c.DEEP_LINKING_REQUEST, c.DEEP_LINKING_SETTINGS: SETTINGS},
    )


def test_instructor_picks_a_reading_and_the_lms_gets_a_signed_link(lms, client):
    response = deep_link_launch(lms, client)
    assert response.status_code == 302 and response["Location"] == "/lti/deep-link/"
    seminar = LtiContext.objects.get().seminar
    reading = Reading.objects.create(
        seminar=seminar, title="Week 1", slug="week-1", status=ReadingStatus.PUBLISHED
    )
    picker = client.get("/lti/deep-link/")
    assert picker.status_code == 200 and b"Week 1" in picker.content
    assert f"frame-ancestors 'self' {lms.issuer}" in picker["Content-Security-Policy"]
    answer = client.post("/lti/deep-link/", {"reading": reading.pk})
    assert answer.status_code == 200
    assert "form-action 'self' https://lms.example.edu" in answer["Content-Security-Policy"]
    html = answer.content.decode()
    assert f'action="{RETURN_URL}"' in html
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    keyset = KeySet.import_key_set(client.get("/lti/jwks/").json())
    claims = jwt.decode(token, keyset, algorithms=["RS256"]).claims
    assert claims["iss"] == lms.client_id and claims["aud"] == lms.issuer
    assert claims[c.MESSAGE_TYPE] == "LtiDeepLinkingResponse"
    assert claims[c.VERSION] == "1.3.0"
    assert claims[c.DEPLOYMENT_ID] == "deployment-1"
    assert claims[c.DL_DATA] == "opaque-42"
    [item] = claims[c.DL_CONTENT_ITEMS]
    assert item["type"] == "ltiResourceLink" and item["title"] == "Week 1"
    assert item["url"] == "http://testserver/lti/launch/"
    assert item["custom"] == {"seminar_reading": str(reading.pk)}
    assert item["lineItem"]["scoreMaximum"] == 100
    # One answer per request: the picker is gone.
    assert client.get("/lti/deep-link/").status_code == 403
    # The LMS then launches the new link with the custom parameter: it opens the reading.
    client.logout()
    launched = lms.launch(
        client, sub="student-1", resource_link="new-link", **{c.CUSTOM: item["custom"]}
    )
    assert launched["Location"] == reading.get_absolute_url()
    assert LtiResourceLink.objects.get(resource_link_id="new-link").reading == reading


def test_deep_linking_request_without_settings_is_refused(lms, client):
    response = lms.launch(
        client,
        roles=[c.INSTRUCTOR],
        resource_link=None,
        change={c.MESSAGE_TYPE: c.DEEP_LINKING_REQUEST},
    )
    assert response.status_code == 400
    assert not LtiContext.objects.exists()


def test_the_picker_is_for_instructors_from_a_deep_linking_launch(lms, client, instructor):
    deep_link_launch(lms, client)
    client.logout()
    deep_link_launch(lms, client, sub="ta-1", roles=[c.TEACHING_ASSISTANT])
    assert client.get("/lti/deep-link/").status_code == 403
    client.force_login(instructor)
    assert client.get("/lti/deep-link/").status_code == 403
