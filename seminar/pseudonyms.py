"""Pseudonyms: how students appear to each other in a seminar that hides names.

A pseudonym ("Amber Heron") is derived from a per-seminar secret and the user's id, so it
cannot be worked out from ids. Two students whose names collide are told apart by a number
("Amber Heron 2"). The name is stored on the membership when the student joins
(`pseudonym_assign`), so it is the same on every page and every reading all term: a classmate
leaving never renames anyone. A former member, whose membership is gone, is named by the same
formula (`base_pseudonym`). Instructors and TAs always see names; nobody sees a pseudonym for
staff.
"""

import hashlib
from collections.abc import Iterable

from django.db import models, transaction

from seminar.models import STAFF_ROLES, Membership, Seminar

ADJECTIVES = [
    "Amber",
    "Azure",
    "Bold",
    "Brisk",
    "Calm",
    "Cedar",
    "Clear",
    "Coral",
    "Crimson",
    "Dusky",
    "Eager",
    "Fern",
    "Gentle",
    "Golden",
    "Granite",
    "Hazel",
    "Indigo",
    "Ivory",
    "Jade",
    "Keen",
    "Lively",
    "Lunar",
    "Maple",
    "Misty",
    "Noble",
    "Ochre",
    "Olive",
    "Pearl",
    "Quiet",
    "Rapid",
    "Russet",
    "Sable",
    "Sage",
    "Silver",
    "Slate",
    "Solar",
    "Steady",
    "Swift",
    "Tawny",
    "Teal",
    "Umber",
    "Velvet",
    "Violet",
    "Warm",
    "Willow",
    "Witty",
    "Young",
    "Zesty",
]
ANIMALS = [
    "Albatross",
    "Badger",
    "Beaver",
    "Bison",
    "Crane",
    "Curlew",
    "Dolphin",
    "Egret",
    "Falcon",
    "Ferret",
    "Finch",
    "Fox",
    "Gannet",
    "Gazelle",
    "Heron",
    "Hare",
    "Ibis",
    "Jackal",
    "Jay",
    "Kestrel",
    "Kite",
    "Lark",
    "Lemur",
    "Lynx",
    "Marten",
    "Merlin",
    "Newt",
    "Otter",
    "Owl",
    "Panda",
    "Petrel",
    "Plover",
    "Puffin",
    "Quail",
    "Raven",
    "Robin",
    "Seal",
    "Shrike",
    "Sparrow",
    "Stoat",
    "Swift",
    "Tern",
    "Thrush",
    "Vole",
    "Walrus",
    "Wren",
    "Yak",
    "Zebra",
]


def base_pseudonym(salt: str, user_id: int) -> str:
    digest = hashlib.sha256(f"{salt}:{user_id}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    return f"{ADJECTIVES[number % len(ADJECTIVES)]} {ANIMALS[(number // 97) % len(ANIMALS)]}"


def _numbered(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base} {number}" in taken:
        number += 1
    return f"{base} {number}"


def name_students(salt: str, members: Iterable[tuple[int, str, str]]) -> dict[int, str]:
    """User id -> pseudonym of each student, from (user id, role, stored pseudonym) rows.

    Rows come in joining order. A stored name is kept; a student without one (a membership
    made outside the services, or before names were stored) gets the base name or the next
    free number. Migration 0003 stored today's names with this same function.
    """
    members = list(members)
    taken = {stored for _, _, stored in members if stored}
    names: dict[int, str] = {}
    for user_id, role, stored in members:
        if role in STAFF_ROLES:
            continue
        name = stored or _numbered(base_pseudonym(salt, user_id), taken)
        taken.add(name)
        names[user_id] = name
    return names


def _members(seminar: Seminar) -> models.QuerySet[Membership]:
    return Membership.objects.filter(seminar=seminar).order_by("joined", "id")


def people(seminar: Seminar) -> tuple[dict[int, str], dict[int, str]]:
    """(user id -> role, user id -> pseudonym of each student) for the seminar, in one query."""
    members = list(_members(seminar).values_list("user_id", "role", "pseudonym"))
    roles = {user_id: role for user_id, role, _ in members}
    return roles, name_students(seminar.pseudonym_salt, members)


@transaction.atomic
def pseudonym_assign(*, seminar: Seminar) -> None:
    """Store a pseudonym for every student of the seminar who has none yet."""
    # Joins to one seminar take turns here, so two newcomers cannot claim the same name.
    Seminar.objects.select_for_update().filter(pk=seminar.pk).values_list("pk").first()
    rows = list(_members(seminar).values_list("pk", "user_id", "role", "pseudonym"))
    names = name_students(seminar.pseudonym_salt, (row[1:] for row in rows))
    missing = [
        Membership(pk=pk, pseudonym=names[user_id])
        for pk, user_id, _role, stored in rows
        if not stored and user_id in names
    ]
    Membership.objects.bulk_update(missing, ["pseudonym"])
