"""Pseudonyms: how students appear to each other in a seminar that hides names.

A pseudonym ("Amber Heron") is derived from a per-seminar secret and the user's id, so it is
the same on every page and every reading all term, needs no storage, and cannot be worked out
from ids. Two students whose names collide are told apart by a number, in order of joining.
Instructors and TAs always see names; nobody sees a pseudonym for staff.
"""

import hashlib

from .models import STAFF_ROLES, Membership

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


def people(seminar) -> tuple[dict[int, str], dict[int, str]]:
    """(user id -> role, user id -> pseudonym of each student) for the seminar, in one query."""
    roles: dict[int, str] = {}
    names: dict[int, str] = {}
    seen: dict[str, int] = {}
    members = (
        Membership.objects.filter(seminar=seminar)
        .order_by("joined", "id")
        .values_list("user_id", "role")
    )
    for user_id, role in members:
        roles[user_id] = role
        if role in STAFF_ROLES:
            continue
        name = base_pseudonym(seminar.pseudonym_salt, user_id)
        seen[name] = seen.get(name, 0) + 1
        names[user_id] = name if seen[name] == 1 else f"{name} {seen[name]}"
    return roles, names
