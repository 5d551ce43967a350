"""python manage.py demo: a demo seminar to click through. Safe to run again.

Creates an instructor, a TA and three students with a shared password, a seminar, and two
readings written for the project (one in the class-blog format, with reader comments).
"""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from annotations.revisions.readings import parse_upload, reading_import
from seminar.models import Membership, Reading, ReadingStatus, Role, Seminar, User
from seminar.pseudonyms import pseudonym_assign
from seminar.services import seminar_create

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
PASSWORD = "seminar-demo"  # noqa: S105 - printed for the demo on purpose
SEMINAR_SLUG = "demo-intervention-and-peacebuilding"

PEOPLE = [
    ("instructor", "Dr. Amara Okafor", Role.INSTRUCTOR),
    ("ta", "Jonas Weber", Role.TA),
    ("student1", "Lena Ortiz", Role.STUDENT),
    ("student2", "Sam Park", Role.STUDENT),
    ("student3", "Priya Nair", Role.STUDENT),
]
READINGS = ["peacekeeping-without-a-peace.txt", "reading-slowly.md"]


# (author, kind, passage, text, tags, replies as (author, text), helpful marks by)
DISCUSSION = [
    (
        "student1",
        "critique",
        "a robust mandate without the troops, helicopters and intelligence "
        "to carry it out is a promise the mission cannot keep",
        "Is this fair to missions that had the troops but not the **political** backing?",
        ["mandates"],
        [
            ("student2", "MINUSMA had both problems at once, though."),
            ("instructor", "Good question — find one mission that fits your case."),
        ],
        ["student2", "student3"],
    ),
    (
        "student2",
        "question",
        "The mission’s “impartiality” then looks, from the insurgents’ "
        "villages, like one more army",
        "Whose view of impartiality counts here — the villagers’ or the Council’s?",
        ["impartiality"],
        [("student3", "Both, and they rarely agree.")],
        ["student1"],
    ),
    (
        "student3",
        "evidence",
        "fewer civilians killed near its bases",
        "The 2019 MINUSMA report has numbers on this; I'll bring them to class.",
        ["evidence"],
        [],
        [],
    ),
    (
        "student1",
        "connection",
        "talking to them is usually how wars end",
        "Connects to week 3: the Algiers talks.",
        ["week 3"],
        [],
        [],
    ),
]


def discuss(reading, users):
    """A few threads on the demo post, so the margin has something to show."""
    from annotations.services import annotation_create, reply_create, vote_add

    for author, kind, passage, text, tags, replies, helpful in DISCUSSION:
        top, _ = annotation_create(
            reading=reading,
            author=users[author],
            kind=kind,
            text=text,
            tags=tags,
            quote={"exact": passage},
        )
        for who, answer in replies:
            reply_create(parent=top, author=users[who], text=answer)
        for who in helpful:
            vote_add(annotation=top, user=users[who])


class Command(BaseCommand):
    help = "Create (or keep) the demo seminar and print its logins."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {}
        for username, name, _role in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"display_name": name, "email": f"{username}@demo.seminar.invalid"},
            )
            if created:
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
            users[username] = user

        seminar = Seminar.objects.filter(slug=SEMINAR_SLUG).first()
        if seminar is None:
            seminar = seminar_create(
                title="Intervention and Peacebuilding",
                term="Demo term",
                description="A demo seminar: read the posts, highlight a passage, discuss.",
                creator=users["instructor"],
            )
            seminar.slug = SEMINAR_SLUG
            seminar.save(update_fields=["slug"])
        for username, _name, role in PEOPLE:
            Membership.objects.get_or_create(
                seminar=seminar, user=users[username], defaults={"role": role}
            )
        # Made here rather than by joining, so store the students' pseudonyms as joining does.
        pseudonym_assign(seminar=seminar)

        for filename in READINGS:
            parsed = parse_upload(data=(DEMO_DIR / filename).read_bytes(), filename=filename)
            if not Reading.objects.filter(seminar=seminar, title=parsed.title).exists():
                reading = reading_import(
                    seminar=seminar,
                    creator=users["instructor"],
                    parsed=parsed,
                    status=ReadingStatus.PUBLISHED,
                )
                if filename == READINGS[0]:
                    discuss(reading, users)

        self.stdout.write(
            self.style.SUCCESS(f"Demo seminar: {seminar.title} ({seminar.get_absolute_url()})")
        )
        self.stdout.write(f"Join code: {seminar.join_code}")
        self.stdout.write(f"Logins (password for all: {PASSWORD}):")
        for username, name, role in PEOPLE:
            self.stdout.write(f"  {username:<11} {name:<18} {role.label}")
