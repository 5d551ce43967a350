"""Groups (sections) of a seminar, and the instructor's ways of filling them.

A group is a named subset of a seminar's students (`seminar.models.Group`); a student is in
at most one (`Membership.group`), staff in none. On a reading discussed in groups a student
sees and hears of their own group's posts only (annotations/peers), so every change here
changes who sees what and is put on the record (`AccessChange`: setting "groups" for a group
made, renamed or deleted; "group_members" for each student who moved, with a sentence).

Groups are filled by hand (`group_set_members`: exactly these students), at random
(`groups_split_random`) or from a spreadsheet (`groups_import_csv`). Each write is one
transaction, taken in turn per seminar (its row is locked), so that two instructors cannot
make "Group A" and "group a" at once. Deleting a group leaves its members in no group; no
post is touched.
"""

from __future__ import annotations

import csv
import io
import math
import random
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.text import Truncator

from seminar.errors import Conflict, ServiceError
from seminar.models import AccessChange, Group, Membership, Role, Seminar, User
from seminar.permissions import can_view_groups, sees_names
from seminar.pseudonyms import people

if TYPE_CHECKING:
    from collections.abc import Iterable

NAME_CHARS = 80
MAX_SPLIT_SIZE = 200
CSV_MAX_BYTES = 256 * 1024
CSV_MAX_ROWS = 5000
# A long list of problems is no help to read; the first ones show what is wrong.
PROBLEMS_SHOWN = 20
_SPACES = re.compile(r"\s+")


class ImportProblems(ServiceError):
    """A CSV file that was not imported, with each line to fix (`problems`)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        text = "Nothing was imported. Fix these lines and import the file again: "
        text += "; ".join(shown) + (f"; and {more} more." if more else ".")
        super().__init__(text)


@dataclass
class ImportResult:
    """What an import did: groups it made, students it moved, and those already there."""

    created: list[str] = field(default_factory=list)
    moved: int = 0
    unchanged: int = 0


# Reading ----------------------------------------------------------------------------------


def natural_key(name: str) -> list:
    """ "Group 2" before "Group 10"; case does not count."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name.casefold())]


def _by_name(membership: Membership):
    return (membership.user.name.casefold(), membership.user.username)


def group_listing(seminar: Seminar) -> tuple[list[Group], list[Membership]]:
    """The seminar's groups in name order, each with `.members` (its students, by name), and
    the students in no group. Two queries, however large the roster."""
    groups = sorted(Group.objects.filter(seminar=seminar), key=lambda g: natural_key(g.name))
    students = Membership.objects.filter(seminar=seminar, role=Role.STUDENT).select_related("user")
    by_id = {group.pk: group for group in groups}
    for group in groups:
        group.members = []
    ungrouped = []
    for membership in sorted(students, key=_by_name):
        group = by_id.get(membership.group_id)
        (group.members if group else ungrouped).append(membership)
    return groups, ungrouped


# Names and the record ---------------------------------------------------------------------


def clean_name(name: str) -> str:
    """The name as stored: trimmed, inner runs of spaces made one; 1 to 80 characters."""
    name = _SPACES.sub(" ", str(name or "")).strip()
    if not name:
        raise ServiceError("Give the group a name.")
    if len(name) > NAME_CHARS:
        raise ServiceError(f"A group's name has at most {NAME_CHARS} characters.")
    return name


def _check_free(seminar: Seminar, name: str, *, leave: Group | None = None) -> None:
    clash = Group.objects.filter(seminar=seminar, name__iexact=name)
    if leave is not None:
        clash = clash.exclude(pk=leave.pk)
    if existing := clash.first():
        raise ServiceError(
            f"There is a group named “{existing.name}” already: choose another name."
        )


def _lock(seminar_id: int) -> None:
    # Group changes to one seminar take turns (a no-op on SQLite, which writes one at a time).
    Seminar.objects.select_for_update().filter(pk=seminar_id).values_list("pk").first()


def _change(seminar_id: int, actor: User, setting: str, before: str, after: str, effect: str):
    return AccessChange.of(
        seminar_id=seminar_id,
        actor=actor,
        setting=setting,
        before=before,
        after=after,
        effect=effect,
    )


def _move_sentence(name: str, before: str | None, after: str | None) -> str:
    if before and after:
        return f"{name} moved from {before} to {after}."
    if after:
        return f"{name} joined {after} (from no group)."
    return f"{name} left {before} and is in no group."


@dataclass
class _Moves:
    """Students to move, and the record of each move, written together."""

    seminar_id: int
    actor: User
    names: dict[int, str]  # group id -> name, as it is before the moves
    changed: list[Membership] = field(default_factory=list)
    records: list[AccessChange] = field(default_factory=list)

    def move(self, membership: Membership, group: Group | None) -> bool:
        to = group.pk if group else None
        if membership.group_id == to:
            return False
        before = self.names.get(membership.group_id) if membership.group_id else None
        after = group.name if group else None
        self.records.append(
            _change(
                self.seminar_id,
                self.actor,
                "group_members",
                before or "",
                after or "",
                _move_sentence(membership.user.name, before, after),
            )
        )
        membership.group_id = to
        self.changed.append(membership)
        return True

    def save(self) -> None:
        Membership.objects.bulk_update(self.changed, ["group"])
        AccessChange.objects.bulk_create(self.records)


def _names(seminar_id: int) -> dict[int, str]:
    return dict(Group.objects.filter(seminar_id=seminar_id).values_list("pk", "name"))


def _members_text(count: int) -> str:
    return "1 member" if count == 1 else f"{count} members"


# Writing ----------------------------------------------------------------------------------


@transaction.atomic
def group_create(*, seminar: Seminar, actor: User, name: str) -> Group:
    """A new, empty group. Its name may not match another of the seminar's, whatever the
    case."""
    name = clean_name(name)
    _lock(seminar.pk)
    _check_free(seminar, name)
    group = Group.objects.create(seminar=seminar, name=name)
    _change(seminar.pk, actor, "groups", "", name, f"Group “{name}” created.").save()
    return group


@transaction.atomic
def group_rename(*, group: Group, actor: User, name: str) -> Group:
    name = clean_name(name)
    _lock(group.seminar_id)
    if name == group.name:
        return group
    _check_free(group.seminar, name, leave=group)
    before = group.name
    group.name = name
    group.save(update_fields=["name"])
    effect = f"Group “{before}” renamed “{name}”."
    _change(group.seminar_id, actor, "groups", before, name, effect).save()
    return group


@transaction.atomic
def group_delete(*, group: Group, actor: User) -> int:
    """Delete the group; its members are in no group after it, and no post changes. Returns
    how many members it had."""
    _lock(group.seminar_id)
    count = Membership.objects.filter(group=group).update(group=None)
    effect = (
        f"Group “{group.name}” deleted; its {_members_text(count)} "
        f"{'is' if count == 1 else 'are'} in no group now. No post was changed."
    )
    _change(group.seminar_id, actor, "groups", group.name, "", effect).save()
    group.delete()
    return count


def _not_students(seminar: Seminar, memberships: Iterable[Membership], user_ids: set[int]):
    """Why these users cannot be put in a group, or None."""
    problems = []
    found = {m.user_id for m in memberships}
    if missing := user_ids - found:
        users = User.objects.filter(pk__in=missing).order_by("username")
        named = [u.username for u in users]
        if unknown := len(missing) - len(named):
            named.append(f"{unknown} unknown user{'s' if unknown != 1 else ''}")
        problems.append(f"not members of {seminar.title}: {', '.join(named)}")
    if staff := sorted(m.user.username for m in memberships if m.role != Role.STUDENT):
        problems.append(f"staff, who are in no group: {', '.join(staff)}")
    if problems:
        raise ServiceError("Only the seminar's students can be in a group; " + "; ".join(problems))


@transaction.atomic
def group_set_members(*, group: Group, actor: User, user_ids: Iterable[int]) -> list[str]:
    """Make the group's students exactly these (PUT): a student in another group moves here;
    one left out goes to no group. Staff and non-members are refused, by name. Returns the
    sentences of what moved (empty if nothing did)."""
    wanted = {int(pk) for pk in user_ids}
    _lock(group.seminar_id)
    seminar = group.seminar
    chosen = list(
        Membership.objects.filter(seminar=seminar, user_id__in=wanted).select_related("user")
    )
    _not_students(seminar, chosen, wanted)
    leaving = (
        Membership.objects.filter(group=group).exclude(user_id__in=wanted).select_related("user")
    )
    moves = _Moves(seminar.pk, actor, _names(seminar.pk))
    for membership in sorted(chosen, key=_by_name):
        moves.move(membership, group)
    for membership in sorted(leaving, key=_by_name):
        moves.move(membership, None)
    moves.save()
    return [record.effect for record in moves.records]


@transaction.atomic
def groups_assign(*, seminar: Seminar, actor: User, placement: dict[int, int | None]) -> list[str]:
    """Move each of these students (by user id) to a group (by id; None: to no group), as
    the page's select per student does. Returns the sentences of what moved."""
    _lock(seminar.pk)
    chosen = list(
        Membership.objects.filter(seminar=seminar, user_id__in=placement).select_related("user")
    )
    _not_students(seminar, chosen, set(placement))
    groups = {g.pk: g for g in Group.objects.filter(seminar=seminar)}
    if gone := {pk for pk in placement.values() if pk is not None} - set(groups):
        raise Conflict(
            f"{len(gone)} of the groups chosen no longer exist{'s' if len(gone) == 1 else ''}: "
            "reload the page and choose again."
        )
    moves = _Moves(seminar.pk, actor, {pk: g.name for pk, g in groups.items()})
    for membership in sorted(chosen, key=_by_name):
        to = placement[membership.user_id]
        moves.move(membership, groups[to] if to is not None else None)
    moves.save()
    return [record.effect for record in moves.records]


def split_sizes(students: int, size: int) -> list[int]:
    """Sizes of the groups `students` make in groups of `size`: as many groups as it takes,
    as even as can be, none larger than `size` (10 in groups of 4: 4, 3, 3)."""
    count = math.ceil(students / size)
    small, extra = divmod(students, count)
    return [small + 1] * extra + [small] * (count - extra)


@transaction.atomic
def groups_split_random(
    *, seminar: Seminar, actor: User, size: int, replace: bool = False, rng=None
) -> list[Group]:
    """Every student, shuffled, into groups of `size` named "Group 1", "Group 2", …, the
    remainder spread so that no group is more than one smaller than another. With groups
    there already, `replace` must say to delete them first (their members are regrouped);
    otherwise nothing changes and the error says so."""
    if not isinstance(size, int) or not 1 <= size <= MAX_SPLIT_SIZE:
        raise ServiceError(f"Choose a group size from 1 to {MAX_SPLIT_SIZE}.")
    _lock(seminar.pk)
    existing = list(Group.objects.filter(seminar=seminar))
    if existing and not replace:
        raise ServiceError(
            f"This seminar has {len(existing)} group{'s' if len(existing) != 1 else ''} "
            "already. Choose to replace them (every student is regrouped), or delete them "
            "first."
        )
    students = list(
        Membership.objects.filter(seminar=seminar, role=Role.STUDENT)
        .select_related("user")
        .order_by("pk")
    )
    if not students:
        raise ServiceError("The seminar has no students to split into groups yet.")
    (rng or random.Random()).shuffle(students)
    moves = _Moves(seminar.pk, actor, {g.pk: g.name for g in existing})
    records = [
        _change(
            seminar.pk,
            actor,
            "groups",
            g.name,
            "",
            f"Group “{g.name}” deleted to split the class at random.",
        )
        for g in sorted(existing, key=lambda g: natural_key(g.name))
    ]
    Group.objects.filter(pk__in=[g.pk for g in existing]).delete()
    sizes = split_sizes(len(students), size)
    groups = Group.objects.bulk_create(
        [Group(seminar=seminar, name=f"Group {n}") for n in range(1, len(sizes) + 1)]
    )
    start = 0
    for group, count in zip(groups, sizes, strict=True):
        effect = f"Group “{group.name}” created by a random split ({_members_text(count)})."
        records.append(_change(seminar.pk, actor, "groups", "", group.name, effect))
        for membership in students[start : start + count]:
            moves.move(membership, group)
        start += count
    AccessChange.objects.bulk_create(records)
    moves.save()
    return groups


# Importing --------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if len(data) > CSV_MAX_BYTES:
        raise ServiceError(
            f"The file is {len(data) // 1024} KB; a groups file may be {CSV_MAX_BYTES // 1024} "
            "KB at most."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ServiceError(
            "The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8” and "
            "import it again."
        ) from exc
    if "\x00" in text:
        raise ServiceError("The file is not a CSV text file.")
    if not text.strip():
        raise ServiceError("The file is empty: it needs a header line “username,group”.")
    return text


def _delimiter(header: str) -> str:
    # Spreadsheets in many locales save "CSV" with semicolons; a header line tells which.
    counts = {mark: header.count(mark) for mark in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _columns(header: list[str]) -> tuple[int, str, int]:
    names = [cell.strip().casefold() for cell in header]
    if "group" not in names or not ({"username", "email"} & set(names)):
        found = ",".join(cell.strip() for cell in header) or "nothing"
        raise ServiceError(
            f"The first line must be the header “username,group” (or “email,group”); it is "
            f"“{Truncator(found).chars(80)}”."
        )
    key = "username" if "username" in names else "email"
    return names.index(key), key, names.index("group")


def _reader(text: str):
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    return csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first), strict=True)


@dataclass
class _Row:
    line: int
    who: str
    group: str


def _cell(cells: list[str], at: int) -> str:
    return cells[at].strip() if at < len(cells) else ""


def _rows(text: str) -> tuple[str, list[_Row]]:
    reader = _reader(text)
    try:
        header = next(reader)
        at, key, group_at = _columns(header)
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= CSV_MAX_ROWS:
                raise ServiceError(f"A groups file may have {CSV_MAX_ROWS} lines at most.")
            rows.append(_Row(reader.line_num, _cell(cells, at), _cell(cells, group_at)))
    except csv.Error as exc:
        raise ServiceError(f"Line {reader.line_num} is not valid CSV: {exc}.") from exc
    return key, rows


def _index(seminar: Seminar, key: str) -> dict[str, Membership]:
    memberships = Membership.objects.filter(seminar=seminar).select_related("user")
    index: dict[str, Membership] = {}
    for membership in memberships.order_by("pk"):
        value = getattr(membership.user, key)
        if value:
            index.setdefault(value.casefold(), membership)
    return index


@transaction.atomic
def groups_import_csv(*, seminar: Seminar, actor: User, data: bytes) -> ImportResult:
    """Put students in groups from a CSV file with the header `username,group` (or
    `email,group`; other columns are ignored): each listed student moves to the named group,
    made if the seminar has none of that name (matched whatever the case). Students not
    listed stay where they are. All or nothing: one error lists every line to fix."""
    key, rows = _rows(_decode(data))
    if not rows:
        raise ServiceError("The file has a header but no students under it.")
    _lock(seminar.pk)
    members = _index(seminar, key)
    groups = {g.name.casefold(): g for g in Group.objects.filter(seminar=seminar)}
    problems, seen, placed = [], {}, []
    for row in rows:
        where = f"line {row.line}"
        membership = members.get(row.who.casefold()) if row.who else None
        if not row.who:
            problems.append(f"{where}: the {key} is empty")
        elif membership is None:
            problems.append(f"{where}: no member of this seminar has the {key} “{row.who}”")
        elif membership.role != Role.STUDENT:
            problems.append(
                f"{where}: {row.who} is {membership.get_role_display().lower()}, and only "
                "students are in groups"
            )
        elif membership.pk in seen:
            problems.append(f"{where}: {row.who} is on line {seen[membership.pk]} already")
        if membership is not None:
            seen.setdefault(membership.pk, row.line)
        try:
            name = clean_name(row.group)
        except ServiceError as exc:
            problems.append(f"{where}: {str(exc).rstrip('.').lower()}")
            continue
        placed.append((membership, name))
    if problems:
        raise ImportProblems(problems)
    result = ImportResult()
    moves = _Moves(seminar.pk, actor, {g.pk: g.name for g in groups.values()})
    records = []
    for membership, name in placed:
        group = groups.get(name.casefold())
        if group is None:
            group = groups[name.casefold()] = Group.objects.create(seminar=seminar, name=name)
            result.created.append(name)
            effect = f"Group “{name}” created by a CSV import."
            records.append(_change(seminar.pk, actor, "groups", "", name, effect))
        if moves.move(membership, group):
            result.moved += 1
        else:
            result.unchanged += 1
    AccessChange.objects.bulk_create(records)
    moves.save()
    return result


def members_by_username(seminar: Seminar, usernames: Iterable[str]) -> list[int]:
    """The user ids of the seminar's members with these usernames (whatever the case), for
    `group_set_members`; a name that is no member's is an error naming it."""
    usernames = [str(name).strip() for name in usernames]
    members = Membership.objects.filter(seminar=seminar).values_list("user__username", "user_id")
    found = {username.casefold(): user_id for username, user_id in members}
    if missing := [name for name in usernames if name.casefold() not in found]:
        shown = ", ".join(f"“{name}”" for name in missing)
        raise ServiceError(f"No member of {seminar.title} has the username {shown}.")
    return [found[name.casefold()] for name in usernames]


def groups_seen_by(user: User, seminar: Seminar) -> list[dict]:
    """The groups as `user` may see them: the staff every group, with names; a student only
    their own, classmates named as the student sees them elsewhere (a pseudonym in a seminar
    that hides names; their own name for themselves). `user`: a name only the staff see."""
    groups, _ = group_listing(seminar)
    staff = can_view_groups(user, seminar)
    if not staff:
        groups = [g for g in groups if any(m.user_id == user.pk for m in g.members)]
    pseudonyms = {} if sees_names(user, seminar) else people(seminar)[1]

    def shown(membership: Membership) -> str:
        if membership.user_id == user.pk or not pseudonyms:
            return membership.user.name
        return membership.pseudonym or pseudonyms.get(membership.user_id, "Classmate")

    return [
        {
            "id": group.pk,
            "name": group.name,
            "members": [
                {
                    "id": m.pk,
                    "user": m.user.username if staff else None,
                    "name": shown(m),
                }
                # Sorted by the names shown: an order by real names would hint at them.
                for m in sorted(group.members, key=lambda m: shown(m).casefold())
            ],
        }
        for group in groups
    ]
