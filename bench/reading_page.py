"""Server time for a busy reading: the page and the annotation list.

Seeds the blog reading with 2,000 annotations in 500 threads (500 passage critiques with
1,500 replies and some helpful marks), then times the reading page and
GET /api/readings/{id}/annotations through Django's test client (server time, no network).

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
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
