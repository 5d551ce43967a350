"""Group endpoints of the JSON API (docs/api.md, "Groups"): a seminar's groups as the caller
may see them, and the instructors' changes to them (seminar/groups.py).

A member is written by username (`PUT …/members {"members": ["lena", "sam"]}`), the name
the staff see in `user` and put in a CSV import; `id` in a member is the membership's.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from seminar import groups as services
from seminar.api import access_seminar_api
from seminar.models import Group
from seminar.permissions import can_manage_groups

router = Router(tags=["groups"])

MAX_MEMBERS = 1000


class MemberOut(Schema):
    id: int = Field(..., description="The membership's id.")
    user: str | None = Field(..., description="The username: the staff's to see; null else.")
    name: str = Field(..., description="The name as the caller sees it (maybe a pseudonym).")


class GroupOut(Schema):
    id: int
    name: str
    members: list[MemberOut]


class GroupIn(Schema):
    name: str = Field(..., max_length=200)


class MembersIn(Schema):
    members: list[str] = Field(
        ..., max_length=MAX_MEMBERS, description="Usernames: exactly the group's students."
    )


class SplitIn(Schema):
    size: int = Field(..., description="Students per group; the remainder is spread evenly.")
    replace: bool = Field(False, description="Delete the groups there are first.")


def _managed(user, seminar_id):
    seminar = access_seminar_api(user, seminar_id)
    if not can_manage_groups(user, seminar):
        raise PermissionDenied("Only the seminar's instructors change its groups.")
    return seminar


def _group(user, seminar_id, group_id):
    seminar = _managed(user, seminar_id)
    return get_object_or_404(Group.objects.select_related("seminar"), pk=group_id, seminar=seminar)


def _one(user, group):
    return next(g for g in services.groups_seen_by(user, group.seminar) if g["id"] == group.pk)


@router.get("/seminars/{seminar_id}/groups", response=list[GroupOut])
def list_groups(request, seminar_id: int):
    """The staff: every group. A student: their own group, if they are in one."""
    seminar = access_seminar_api(request.user, seminar_id)
    return services.groups_seen_by(request.user, seminar)


@router.post("/seminars/{seminar_id}/groups", response={201: GroupOut})
def create_group(request, seminar_id: int, payload: GroupIn):
    seminar = _managed(request.user, seminar_id)
    group = services.group_create(seminar=seminar, actor=request.user, name=payload.name)
    return Status(201, {"id": group.pk, "name": group.name, "members": []})


# Before the routes of one group: "split" is not a group's id.
@router.post("/seminars/{seminar_id}/groups/split", response=list[GroupOut])
def split_groups(request, seminar_id: int, payload: SplitIn):
    seminar = _managed(request.user, seminar_id)
    services.groups_split_random(
        seminar=seminar, actor=request.user, size=payload.size, replace=payload.replace
    )
    return services.groups_seen_by(request.user, seminar)


@router.patch("/seminars/{seminar_id}/groups/{group_id}", response=GroupOut)
def rename_group(request, seminar_id: int, group_id: int, payload: GroupIn):
    group = _group(request.user, seminar_id, group_id)
    services.group_rename(group=group, actor=request.user, name=payload.name)
    return _one(request.user, group)


@router.delete("/seminars/{seminar_id}/groups/{group_id}", response={204: None})
def delete_group(request, seminar_id: int, group_id: int):
    """Its members are in no group after it; no post changes."""
    group = _group(request.user, seminar_id, group_id)
    services.group_delete(group=group, actor=request.user)
    return Status(204, None)


@router.put("/seminars/{seminar_id}/groups/{group_id}/members", response=GroupOut)
def set_group_members(request, seminar_id: int, group_id: int, payload: MembersIn):
    """Exactly these students: one in another group moves here, one left out is in none."""
    group = _group(request.user, seminar_id, group_id)
    user_ids = services.members_by_username(group.seminar, payload.members)
    services.group_set_members(group=group, actor=request.user, user_ids=user_ids)
    return _one(request.user, group)
