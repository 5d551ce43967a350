"""Grade passback: each student's grade for a reading, posted to the LMS's line item.

A reading placed in a course by deep linking (or any launch that carried an AGS endpoint)
has a line item (seminar.lti: `LtiResourceLink.line_item_url`). When its grades are
released, and when an instructor presses the gradebook's "Send to LMS", a task
(`tasks.send_grades_to_lms`, one per reading) posts an AGS 2.0 score for every student the
LMS knows (an `LtiIdentity` on the link's platform): `scoreGiven` the final grade (the
grade set by hand, else the suggestion) out of `scoreMaximum` 100, `activityProgress`
"Completed" (or "Initialized" for a student with no post), `gradingProgress` "FullyGraded",
`timestamp`, `userId` the student's `sub`. What was sent, when, and the last error are kept
in `LmsScore`, which the gradebook shows.

The platform is never waited on by a page: the task runs in the worker, with a 5 s
timeout per call. A try that fails is tried again later, only for the students it failed
for (RETRY_DELAYS: 1, 5, 25, 125 minutes, then it stays failed and says so). A call that
cannot reach the platform at all (a timeout, a refused token) ends the try for everyone
left, rather than waiting out the timeout once per student.
"""

import dataclasses
import datetime
import logging
import urllib.parse
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from annotations.grading import gradebook
from annotations.models import GradeRelease, LmsScore
from seminar.lti.models import LtiIdentity, LtiResourceLink
from seminar.lti.tokens import AGS_LINEITEM_SCOPE, AGS_SCORE_SCOPE, PlatformError, service_call
from seminar.models import Reading

log = logging.getLogger(__name__)

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
SCOPES = [AGS_LINEITEM_SCOPE, AGS_SCORE_SCOPE]
SCORE_MAXIMUM = 100  # a final grade is out of 100 (annotations.grading.display.OUT_OF)
RETRY_DELAYS = tuple(datetime.timedelta(minutes=5**n) for n in range(4))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

SENT, RETRYING, FAILED, SKIPPED = "sent", "retrying", "failed", "skipped"


def line_item_for(reading: Reading) -> LtiResourceLink | None:
    """The newest placement of `reading` in an LMS course that has a line item."""
    links = LtiResourceLink.objects.filter(reading=reading).exclude(line_item_url="")
    return links.select_related("context__platform").order_by("-created", "-id").first()


def scores_url(line_item_url: str) -> str:
    """AGS: a line item's scores are at its URL + "/scores", before any query string."""
    parts = urllib.parse.urlsplit(line_item_url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def score_payload(*, sub: str, cell, when: datetime.datetime) -> dict:
    return {
        "userId": sub,
        "scoreGiven": round(float(cell.final), 1),
        "scoreMaximum": SCORE_MAXIMUM,
        "activityProgress": "Completed" if cell.posts else "Initialized",
        "gradingProgress": "FullyGraded",
        "timestamp": when.isoformat(timespec="milliseconds"),
    }


def passback_later(*, reading: Reading) -> bool:
    """Queue the reading's passback once the current transaction commits; False (and
    nothing queued) if the reading is not linked to a line item."""
    if line_item_for(reading) is None:
        return False
    from annotations.grading import tasks  # tasks import this module

    pk = reading.pk
    transaction.on_commit(lambda: enqueue(tasks.send_grades_to_lms, pk))
    return True


def enqueue(task, reading_id: int, *, attempt: int = 1) -> None:
    """A retry (attempt > 1) waits its turn of RETRY_DELAYS where the backend can defer."""
    if attempt > 1 and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 2])
    task.enqueue(reading_id, attempt=attempt)  # the tests' immediate backend: at once


def _record(row: LmsScore, *, payload: dict, error: str, when) -> None:
    row.score_given = Decimal(str(payload["scoreGiven"]))
    row.score_maximum = payload["scoreMaximum"]
    row.activity_progress = payload["activityProgress"]
    row.grading_progress = payload["gradingProgress"]
    row.error = error[:1000]
    row.attempts += 1
    row.updated = when
    if not error:
        row.sent = when
    row.save()


def grades_send(*, reading_id: int, attempt: int = 1) -> str:
    """Post the reading's scores; "sent", "retrying", "failed" or "skipped" (gone, not
    released, not linked)."""
    reading = Reading.objects.select_related("seminar").filter(pk=reading_id).first()
    if reading is None or not GradeRelease.objects.filter(reading=reading).exists():
        return SKIPPED
    link = line_item_for(reading)
    if link is None:
        return SKIPPED
    platform, url = link.context.platform, scores_url(link.line_item_url)
    cells = list(gradebook.reading_cells(reading.seminar, reading=reading))
    subs = dict(
        LtiIdentity.objects.filter(
            platform=platform, user_id__in=[student.pk for student, _cell in cells]
        ).values_list("user_id", "sub")
    )
    rows = {row.student_id: row for row in LmsScore.objects.filter(reading=reading)}
    failed, unreachable = 0, ""
    for student, cell in cells:
        sub = subs.get(student.pk)
        if sub is None or cell.final is None:
            continue  # not in the LMS's course, or nothing to grade yet
        row = rows.get(student.pk) or LmsScore(reading=reading, student=student)
        if attempt > 1 and row.ok:
            continue  # a retry sends only what failed
        row.line_item_url = link.line_item_url
        now = timezone.now()
        payload = score_payload(sub=sub, cell=cell, when=now)
        error = unreachable
        if not error:
            try:
                status, _headers, body = service_call(
                    platform,
                    url,
                    scopes=SCOPES,
                    method="POST",
                    payload=payload,
                    content_type=SCORE_MEDIA_TYPE,
                )
            except PlatformError as problem:
                error = unreachable = f"The LMS could not be reached: {problem}"
            else:
                if status not in (200, 201, 202, 204):
                    error = f"The LMS answered {status}: {body[:200].decode(errors='replace')}"
        if error:
            failed += 1
        _record(row, payload=payload, error=error, when=now)
    if not failed:
        return SENT
    if attempt < MAX_ATTEMPTS:
        log.info("LMS passback of %s: %s failed (attempt %s), retrying", reading, failed, attempt)
        from annotations.grading import tasks

        enqueue(tasks.send_grades_to_lms, reading.pk, attempt=attempt + 1)
        return RETRYING
    log.warning("LMS passback of %s: %s failed after %s attempts", reading, failed, attempt)
    return FAILED


@dataclasses.dataclass
class LmsState:
    """What the gradebook shows under a cell: "sent", "error", "pending" or "not-in-lms"."""

    state: str
    row: LmsScore | None = None


def gradebook_lms(*, students, readings, cells) -> bool:
    """Mark each reading `lms_linked` and give each cell of a linked reading its `lms`
    (LmsState): three queries, whatever the size of the gradebook. True if any is linked."""
    linked = {}
    for link in (
        LtiResourceLink.objects.filter(reading__in=readings)
        .exclude(line_item_url="")
        .select_related("context")
        .order_by("created", "id")
    ):
        linked[link.reading_id] = link.context.platform_id
    for reading in readings:
        reading.lms_linked = reading.pk in linked
    if not linked:
        return False
    identities = set(
        LtiIdentity.objects.filter(
            platform_id__in=set(linked.values()), user_id__in=[s.pk for s in students]
        ).values_list("platform_id", "user_id")
    )
    rows = {
        (row.reading_id, row.student_id): row
        for row in LmsScore.objects.filter(reading_id__in=list(linked))
    }
    for (reading_id, student_id), cell in cells.items():
        if reading_id not in linked:
            continue
        row = rows.get((reading_id, student_id))
        if (linked[reading_id], student_id) not in identities:
            cell.lms = LmsState("not-in-lms")
        elif row is None:
            cell.lms = LmsState("pending")
        else:
            cell.lms = LmsState("error" if row.error else "sent", row)
    return True
