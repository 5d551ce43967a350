"""Applying a verified launch (seminar.lti.launch) to Seminar's people and seminars.

The LMS is the source of truth for who someone is and what role they hold in the course: a
launch links the platform's `sub` to an account (made on first launch, never matched by
email, which would let an LMS that lets users set their own email take over an account),
maps the course to a seminar (made by an instructor's first launch) and sets the membership
from the roles. A student cannot create a seminar: until an instructor has launched, the
course has none and nothing is stored for the student.
"""

import contextlib
import dataclasses
import hashlib

from django.db import transaction
from django.urls import reverse

from seminar.errors import ServiceError
from seminar.lti import claims as c
from seminar.lti.launch import Launch
from seminar.lti.models import LtiContext, LtiIdentity, LtiResourceLink, Platform
from seminar.models import Membership, Reading, Role, Seminar, User
from seminar.pseudonyms import pseudonym_assign
from seminar.services import membership_set_role, seminar_create

CUSTOM_READING = "seminar_reading"  # the custom parameter a deep link sets on its link


@dataclasses.dataclass
class Outcome:
    user: User | None = None
    seminar: Seminar | None = None
    destination: str = ""
    not_set_up: bool = False


def _display_name(claims: dict) -> str:
    name = claims.get("name") or " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    return str(name or "")[:80]


def lti_user(*, platform: Platform, sub: str, claims: dict) -> User:
    """The account linked to `sub` on `platform`, made on first sight; its name and email
    follow the LMS's."""
    identity = LtiIdentity.objects.select_related("user").filter(platform=platform, sub=sub)
    identity = identity.first()
    name, email = _display_name(claims), str(claims.get("email") or "")[:254]
    if identity is None:
        digest = hashlib.sha256(f"{platform.issuer}|{sub}".encode()).hexdigest()[:16]
        user = User(username=f"lti-{digest}", display_name=name, email=email)
        user.set_unusable_password()
        user.save()
        LtiIdentity.objects.create(platform=platform, sub=sub, user=user)
        return user
    user = identity.user
    if (name and name != user.display_name) or (email and email != user.email):
        user.display_name, user.email = name or user.display_name, email or user.email
        user.save(update_fields=["display_name", "email"])
    return user


def membership_from_lms(*, seminar: Seminar, user: User, role: str) -> Membership:
    """Join `user` to `seminar` with `role`, or move them to it; the last instructor keeps
    the role (a seminar needs one), whatever the LMS says."""
    membership, created = Membership.objects.get_or_create(
        seminar=seminar, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        with contextlib.suppress(ServiceError):  # the last instructor stays one
            membership = membership_set_role(membership=membership, role=role)
    if membership.left_lms is not None:  # back in the course (seminar.lti.roster)
        membership.left_lms = None
        membership.save(update_fields=["left_lms"])
    if membership.role == Role.STUDENT and not membership.pseudonym:
        pseudonym_assign(seminar=seminar)
        membership.refresh_from_db(fields=["pseudonym"])
    return membership


def _context_title(context: dict) -> str:
    return str(context.get("title") or context.get("label") or "Course from the LMS")[:200]


def _link(*, launch: Launch, lti_context: LtiContext) -> LtiResourceLink:
    data = launch.resource_link
    ags = launch.claims.get(c.AGS) or {}
    link, _ = LtiResourceLink.objects.get_or_create(
        context=lti_context,
        resource_link_id=str(data["id"])[:255],
        defaults={"title": str(data.get("title") or "")[:255]},
    )
    changed = []
    if ags.get("lineitem") and ags["lineitem"] != link.line_item_url:
        link.line_item_url = ags["lineitem"]
        changed.append("line_item_url")
    wanted = str(launch.custom.get(CUSTOM_READING) or "")
    if link.reading_id is None and wanted.isdigit():
        link.reading = Reading.objects.filter(pk=int(wanted), seminar=lti_context.seminar).first()
        changed.append("reading")
    if changed:
        link.save(update_fields=changed)
    return link


def _destination(*, launch: Launch, seminar: Seminar, user: User, link) -> str:
    if launch.message_type == c.DEEP_LINKING_REQUEST:
        return reverse("lti_deep_link")
    if (
        link is not None
        and link.reading_id is not None
        and Reading.objects.visible_to(user).filter(pk=link.reading_id).exists()
    ):
        return link.reading.get_absolute_url()
    return seminar.get_absolute_url()


@transaction.atomic
def launch_apply(*, launch: Launch) -> Outcome:
    """What a verified launch means here: who, in which seminar, and where they go."""
    role = c.seminar_role(launch.roles) or Role.STUDENT
    context = launch.context
    lti_context = (
        LtiContext.objects.select_related("seminar")
        .filter(platform=launch.platform, context_id=str(context["id"]))
        .first()
    )
    if lti_context is None and role != Role.INSTRUCTOR:
        return Outcome(not_set_up=True)
    user = lti_user(platform=launch.platform, sub=launch.sub, claims=launch.claims)
    if lti_context is None:
        seminar = seminar_create(title=_context_title(context), creator=user)
        lti_context = LtiContext.objects.create(
            platform=launch.platform,
            context_id=str(context["id"])[:255],
            seminar=seminar,
            title=_context_title(context),
        )
    seminar = lti_context.seminar
    membership_from_lms(seminar=seminar, user=user, role=role)
    nrps_url = (launch.claims.get(c.NRPS) or {}).get("context_memberships_url") or ""
    if nrps_url and nrps_url != lti_context.memberships_url:
        lti_context.memberships_url = nrps_url
        lti_context.save(update_fields=["memberships_url"])
    if role == Role.INSTRUCTOR and lti_context.memberships_url:
        from seminar.lti.roster import roster_sync_later  # roster uses this module

        # After the launch has committed, in the worker: a launch never waits on the LMS.
        roster_sync_later(lti_context=lti_context)
    link = None
    if launch.message_type == c.RESOURCE_LINK_REQUEST:
        link = _link(launch=launch, lti_context=lti_context)
    destination = _destination(launch=launch, seminar=seminar, user=user, link=link)
    return Outcome(user=user, seminar=seminar, destination=destination)
