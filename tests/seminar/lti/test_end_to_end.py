"""The whole LTI Advantage run against the test platform over real HTTP: login → launch →
deep link → roster → grade passback, as an LMS would drive it."""

import re

from joserfc import jwt
from joserfc.jwk import KeySet

from annotations.grading import gradebook
from annotations.models import LmsScore
from annotations.services import annotation_create
from seminar.lti import claims as c
from seminar.lti.models import LtiContext, LtiIdentity, LtiResourceLink
from seminar.models import Membership, Role
from tests.conftest import import_reading
from tests.seminar.lti.test_deep_linking import SETTINGS
from tests.texts import BLOG, SWEET_SPOT


def test_login_launch_deep_link_roster_and_grades(lms, client, django_capture_on_commit_callbacks):
    nrps = {c.NRPS: {"context_memberships_url": lms.memberships_url}}
    lms.members = [
        lms.member("prof-1", [c.INSTRUCTOR], name="Grace Hopper"),
        lms.member("student-1", [c.LEARNER], name="Ada Lovelace"),
        lms.member("student-2", [c.LEARNER], name="Emmy Noether"),
    ]
    # 1. The instructor adds Seminar to the course: a deep-linking launch.
    with django_capture_on_commit_callbacks(execute=True):
        response = lms.launch(
            client,
            sub="prof-1",
            roles=[c.INSTRUCTOR],
            name="Grace Hopper",
            resource_link=None,
            change={c.MESSAGE_TYPE: c.DEEP_LINKING_REQUEST, c.DEEP_LINKING_SETTINGS: SETTINGS},
            **nrps,
        )
    assert response["Location"] == "/lti/deep-link/"
    seminar = LtiContext.objects.get().seminar
    # 2. The roster came with it, in the task after the launch.
    members = Membership.objects.filter(seminar=seminar)
    assert {(m.user.display_name, m.role) for m in members.select_related("user")} == {
        ("Grace Hopper", Role.INSTRUCTOR),
        ("Ada Lovelace", Role.STUDENT),
        ("Emmy Noether", Role.STUDENT),
    }
    # 3. They pick a reading; the LMS gets a signed link with a line item.
    prof = LtiIdentity.objects.get(sub="prof-1").user
    reading = import_reading(seminar, BLOG, creator=prof)
    answer = client.post("/lti/deep-link/", {"reading": reading.pk}).content.decode()
    token = re.search(r'name="JWT" value="([^"]+)"', answer).group(1)
    keyset = KeySet.import_key_set(client.get("/lti/jwks/").json())
    [item] = jwt.decode(token, keyset, algorithms=["RS256"]).claims[c.DL_CONTENT_ITEMS]
    assert item["lineItem"]["scoreMaximum"] == 100
    # The LMS makes the assignment's line item and launches the new link with it.
    ags = {c.AGS: {"lineitem": lms.line_item_url("assignment-7"), "scope": []}}
    client.logout()
    launched = lms.launch(
        client, sub="student-1", resource_link="assignment-7", **{c.CUSTOM: item["custom"]}, **ags
    )
    assert launched["Location"] == reading.get_absolute_url()
    link = LtiResourceLink.objects.get(resource_link_id="assignment-7")
    assert link.reading == reading and link.line_item_url == lms.line_item_url("assignment-7")
    ada = LtiIdentity.objects.get(sub="student-1").user
    assert client.session["_auth_user_id"] == str(ada.pk)  # the roster's account
    # 4. Ada critiques the reading; the instructor scores and grades.
    post, _ = annotation_create(
        reading=reading, author=ada, kind="critique", text="Premature?", quote={"exact": SWEET_SPOT}
    )
    gradebook.score_set(annotation=post, grader=prof, value=3)
    emmy = LtiIdentity.objects.get(sub="student-2").user
    gradebook.grade_set(reading=reading, student=emmy, grader=prof, final=55)
    # 5. Releasing the grades sends them to the line item.
    client.force_login(prof)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/s/{seminar.slug}/r/{reading.slug}/grades/release/", {"release": "1"})
    sent = {score["userId"]: score for path, score in lms.scores}
    assert {path for path, _ in lms.scores} == {"/lineitems/assignment-7"}
    assert sent["student-2"]["scoreGiven"] == 55.0
    cells = dict(gradebook.reading_cells(seminar, reading=reading))
    ada_final = round(cells[ada].final, 1)  # one post of the best three: the policy's 33.3
    assert sent["student-1"]["scoreGiven"] == ada_final == 33.3
    assert {s["gradingProgress"] for s in sent.values()} == {"FullyGraded"}
    assert LmsScore.objects.filter(sent__isnull=False, error="").count() == 2
    page = client.get(f"/s/{seminar.slug}/grades/").content.decode()
    assert "sent 55.0/100" in page and "sent 33.3/100" in page
