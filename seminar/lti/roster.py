"""Names and Role Provisioning Services 2.0: the course's roster, brought into its seminar.

The platform's membership list (the `context_memberships_url` a launch kept, paged by
`Link: <…>; rel="next"`) is the LMS's word on who is in the course. Each active member is
linked by `sub` to an account as a launch would (seminar.lti.services.lti_user: made on
first sight with the name and email the list gives) and joined with the role their LMS
roles map to; the last instructor stays one. Someone the list marks Inactive, or no longer
lists, is marked as having left (`Membership.left_lms`): never removed, so their posts,
replies and grades stay where they are; a later list (or launch) that has them again
clears the mark. Only accounts linked to this platform are marked: a co-instructor added
by hand is not the LMS's to judge.

It runs as a task (`tasks.roster_sync_task`): after an instructor's launch, and when the
roster page's "Sync roster from the LMS" button asks.
"""

import dataclasses
import json
import logging
import re

from django.db import transaction
from django.utils import timezone

from seminar.lti import claims as c
from seminar.lti.models import LtiContext, LtiIdentity
from seminar.lti.services import lti_user, membership_from_lms
from seminar.lti.tokens import NRPS_SCOPE, PlatformError, service_call
from seminar.models import Membership, Role

log = logging.getLogger("seminar.lti")

MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 50  # at the platforms' usual 10–100 a page, far beyond any course
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?', re.IGNORECASE)


@dataclasses.dataclass
class SyncResult:
    added: int = 0
    updated: int = 0
    left: int = 0
    pages: int = 0


def next_page(link_header: str) -> str:
    for part in (link_header or "").split(","):
        match = _NEXT.search(part)
        if match:
            return match.group(1)
    return ""


def fetch_members(lti_context: LtiContext) -> tuple[list[dict], int]:
    """(every member the platform lists, pages read): raises PlatformError if any page
    fails, so that a half-read list never marks the other half as gone."""
    url, members, pages = lti_context.memberships_url, [], 0
    while url:
        if pages >= MAX_PAGES:
            raise PlatformError(f"the roster has more than {MAX_PAGES} pages")
        status, headers, body = service_call(
            lti_context.platform, url, scopes=[NRPS_SCOPE], accept=MEDIA_TYPE
        )
        if status != 200:
            raise PlatformError(f"the roster answered {status}", status=status)
        try:
            page = json.loads(body)
            members.extend(m for m in page["members"] if isinstance(m, dict))
        except (ValueError, KeyError, TypeError) as error:
            raise PlatformError("the roster's answer is not a membership list") from error
        pages += 1
        headers = {k.lower(): v for k, v in headers.items()}
        url = next_page(headers.get("link", ""))
    return members, pages


def _active(member: dict) -> bool:
    return str(member.get("status") or "Active").lower() == "active"


@transaction.atomic
def roster_apply(*, lti_context: LtiContext, members: list[dict]) -> SyncResult:
    seminar, platform = lti_context.seminar, lti_context.platform
    result = SyncResult()
    now = timezone.now()
    present = set()
    for member in members:
        sub = str(member.get("user_id") or "")[:255]
        if not sub or not _active(member):
            continue
        present.add(sub)
        user = lti_user(platform=platform, sub=sub, claims=member)
        role = c.seminar_role(list(member.get("roles") or [])) or Role.STUDENT
        existed = Membership.objects.filter(seminar=seminar, user=user).first()
        membership = membership_from_lms(seminar=seminar, user=user, role=role)
        if existed is None:
            result.added += 1
        elif existed.role != membership.role or existed.left_lms is not None:
            result.updated += 1
    linked = LtiIdentity.objects.filter(platform=platform).exclude(sub__in=present)
    result.left = Membership.objects.filter(
        seminar=seminar,
        left_lms__isnull=True,
        user_id__in=linked.values("user_id"),
    ).update(left_lms=now)
    return result


def roster_sync(*, lti_context: LtiContext) -> SyncResult:
    """Fetch the course's memberships and apply them; PlatformError if they cannot be read."""
    if not lti_context.memberships_url:
        raise PlatformError("the LMS gave no Names and Roles URL for this course")
    members, pages = fetch_members(lti_context)
    result = roster_apply(lti_context=lti_context, members=members)
    result.pages = pages
    log.info(
        "LTI roster of %s synced: %s added, %s updated, %s left (%s pages)",
        lti_context.seminar,
        result.added,
        result.updated,
        result.left,
        pages,
    )
    return result


def roster_sync_later(*, lti_context: LtiContext) -> None:
    """Queue the sync for after the current transaction (a launch's, a button's)."""
    from seminar.lti import tasks

    pk = lti_context.pk
    transaction.on_commit(lambda: tasks.roster_sync_task.enqueue(pk))
