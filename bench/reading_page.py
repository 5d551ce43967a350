"""Server time for a busy reading: the page and the annotation list.

Seeds the blog reading with 2,000 annotations in 500 threads (500 passage critiques with
1,500 replies and some helpful marks), then times the reading page and
GET /api/readings/{id}/annotations through Django's test client (server time, no network);
then the list on the same reading discussed in four groups of five, and for a student held
back until they post (annotations/peers: both made the long way, no shared document).

    .venv/bin/python bench/reading_page.py            # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seminar .venv/bin/python bench/reading_page.py
"""

import statistics
import time

from harness import BLOG, READINGS, django_setup, machine

THREADS, REPLIES_PER_THREAD, RUNS = 500, 3, 15


def seed():
    from annotations.models import Annotation, Vote
    from annotations.revisions.readings import parse_upload, reading_import
    from seminar.models import Membership, ReadingStatus, Role, User
    from seminar.services import seminar_create

    teacher = User.objects.create_user("teacher", password="x")
    students = [User.objects.create_user(f"s{i}", password="x") for i in range(20)]
    seminar = seminar_create(title="Bench", creator=teacher)
    Membership.objects.bulk_create(
        Membership(seminar=seminar, user=s, role=Role.STUDENT) for s in students
    )
    name = BLOG
    parsed = parse_upload(data=(READINGS / name).read_bytes(), filename=name)
    reading = reading_import(
        seminar=seminar, creator=teacher, parsed=parsed, status=ReadingStatus.PUBLISHED
    )
    revision = reading.current_revision
    text = revision.text
    words = [i for i, ch in enumerate(text) if ch == " "]
    roots = Annotation.objects.bulk_create(
        Annotation(
            reading=reading,
            revision=revision,
            anchored_revision=revision,
            author=students[i % len(students)],
            kind="critique",
            text=f"Critique {i}",
            html=f"<p>Critique {i}</p>",
            quote_exact=text[words[i % len(words)] + 1 : words[i % len(words)] + 30],
            start=words[i % len(words)] + 1,
            end=words[i % len(words)] + 30,
            anchor_status="anchored",
            tags=["timing"] if i % 3 else [],
        )
        for i in range(THREADS)
    )
    Annotation.objects.bulk_create(
        Annotation(
            reading=reading,
            revision=revision,
            parent=root,
            thread=root,
            kind="reply",
            author=students[(j + 1) % len(students)],
            text="A reply",
            html="<p>A reply</p>",
        )
        for j, root in enumerate(roots)
        for _ in range(REPLIES_PER_THREAD)
    )
    Vote.objects.bulk_create(
        Vote(annotation=root, user=students[(k + 5) % len(students)])
        for k, root in enumerate(roots)
    )
    return reading, students[0]


def timed(client, url, **extra):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url, **extra)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return statistics.median(times), max(times), len(queries), len(response.content)


def main():
    connection = django_setup()
    from django.test import Client

    from annotations.models import Annotation

    reading, student = seed()
    client = Client()
    client.force_login(student)
    count = Annotation.objects.filter(reading=reading).count()
    print(f"machine: {machine()}; database: {connection.vendor}")
    print(f"reading with {count} annotations and replies in {THREADS} threads, {RUNS} runs each")
    for label, url in [
        ("reading page", reading.get_absolute_url()),
        ("API list", f"/api/readings/{reading.pk}/annotations"),
    ]:
        median, worst, queries, size = timed(client, url)
        print(
            f"{label:13} median {median * 1000:7.1f} ms  max {worst * 1000:7.1f} ms  "
            f"{queries} queries  {size / 1024:.0f} KiB"
        )
    loop(client, reading)
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def loop(client, reading):
    """The class loop's lists (annotations/peers), which a student gets the long way: the
    reading discussed in four groups of five, then a newcomer held back until they post."""
    from annotations.peers.services import reading_set_discussion, reading_set_peer_visibility
    from seminar.models import Group, Membership, Role, User

    seminar = reading.seminar
    teacher = User.objects.get(username="teacher")
    members = list(Membership.objects.filter(seminar=seminar, role=Role.STUDENT).order_by("id"))
    for n in range(4):
        group = Group.objects.create(seminar=seminar, name=f"Group {n + 1}")
        Membership.objects.filter(pk__in=[m.pk for m in members[n::4]]).update(group=group)
    reading_set_discussion(reading=reading, actor=teacher, value="groups")
    url = f"/api/readings/{reading.pk}/annotations"
    median, worst, queries, size = timed(client, url)
    print(
        f"{'in 4 groups':13} median {median * 1000:7.1f} ms  max {worst * 1000:7.1f} ms  "
        f"{queries} queries  {size / 1024:.0f} KiB"
    )
    reading_set_discussion(reading=reading, actor=teacher, value="class")
    reading_set_peer_visibility(reading=reading, actor=teacher, value="after_posting")
    newcomer = User.objects.create_user("newcomer", password="x")
    Membership.objects.create(seminar=seminar, user=newcomer, role=Role.STUDENT)
    client.force_login(newcomer)
    median, worst, queries, size = timed(client, url)
    print(
        f"{'held back':13} median {median * 1000:7.1f} ms  max {worst * 1000:7.1f} ms  "
        f"{queries} queries  {size / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
