"""Searching a seminar of 100,000 annotations: the median time of a warm search.

Seeds a seminar of 60 students with 100,000 annotations on the blog reading (as
bench/export.py does, but each post's 25 words drawn from the project's readings, so that
words are as common or as rare as in prose; a third of them replies, one in twenty private,
one in fifty hidden), then times `annotations.search.services.search` (the page's and the
API's one call: the ranked page, its count, snippets and names) for typical queries
(chosen by how common their words are: typical_queries),
as a student and as the instructor. Each query runs twice untimed, then RUNS times; the
median and the slowest are printed with how many results it had.

Goal (issue 16): under 150 ms median on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seminar .venv/bin/python bench/search.py
    DATABASE_URL=... .venv/bin/python bench/search.py --annotations 20000 --runs 5
    .venv/bin/python bench/search.py --annotations 5000      # SQLite
"""

import argparse
import os
import random
import re
import statistics
import time
from collections import Counter

from harness import BLOG, READINGS, django_setup, machine

RUNS = 15
# Share of posts a query's words should be in, for queries chosen from the vocabulary by
# how common their words are (`typical_queries`): what a reader looks for is mostly a word
# that some posts hold, not one that half of them do.
RARE, SOME, COMMON = 0.003, 0.02, 0.12


def typical_queries(words):
    """Queries whose words are in about RARE, SOME and COMMON of the posts (each post has 25
    words drawn from `words`), as the syntax allows them: a word, two words, a phrase of
    the reading's, `or`, `-word`, and a word no post holds."""
    counts = Counter(word.lower() for word in words)
    share = {w: 1 - (1 - n / len(words)) ** 25 for w, n in counts.items() if len(w) >= 5}

    def near(target, skip=()):
        chosen = [w for w in share if w not in skip]
        return min(chosen, key=lambda w: (abs(share[w] - target), w))

    rare, some, common = near(RARE), near(SOME), near(COMMON)
    other = near(SOME, skip={some})
    return [
        rare,
        some,
        f"{common} {near(COMMON, skip={common})}",
        '"lake chad"',
        f"{some} or {other}",
        f"{common} -{some}",
        "nonexistentword",
    ]


def vocabulary():
    words = []
    for path in sorted(READINGS.glob("*.txt")):
        words += re.findall(r"[A-Za-z][A-Za-z'-]+", path.read_text(encoding="utf-8"))
    return words


def seed(total):
    from annotations.models import Annotation
    from annotations.revisions.readings import parse_upload, reading_import
    from seminar.models import Membership, ReadingStatus, Role, User
    from seminar.services import seminar_create

    teacher = User.objects.create_user("teacher", password="x", display_name="Dr. Teacher")
    students = User.objects.bulk_create(
        User(username=f"s{i}", display_name=f"Student {i}", email=f"s{i}@example.org")
        for i in range(60)
    )
    seminar = seminar_create(title="Bench", creator=teacher)
    Membership.objects.bulk_create(
        Membership(seminar=seminar, user=s, role=Role.STUDENT) for s in students
    )
    parsed = parse_upload(data=(READINGS / BLOG).read_bytes(), filename=BLOG)
    reading = reading_import(
        seminar=seminar, creator=teacher, parsed=parsed, status=ReadingStatus.PUBLISHED
    )
    revision = reading.current_revision
    text = revision.text
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    words = vocabulary()
    rng = random.Random(16)

    def prose(i):
        return " ".join(rng.choice(words) for _ in range(25)) + f", {i}?"

    def status(i):
        return "hidden" if i % 50 == 7 else "published"

    roots_wanted = total * 2 // 3
    batch = 5000
    roots = []
    for first in range(0, roots_wanted, batch):
        made = Annotation.objects.bulk_create(
            Annotation(
                reading=reading,
                revision=revision,
                anchored_revision=revision,
                author=students[i % len(students)],
                kind=("critique", "question", "evidence", "connection")[i % 4],
                text=prose(i),
                html=f"<p>Critique {i}</p>",
                quote_exact=text[spaces[i % len(spaces)] + 1 : spaces[i % len(spaces)] + 40],
                start=spaces[i % len(spaces)] + 1,
                end=spaces[i % len(spaces)] + 40,
                anchor_status="anchored",
                visibility="private" if i % 20 == 3 else "seminar",
                status=status(i),
                tags=["timing", "evidence"] if i % 3 else [],
            )
            for i in range(first, min(first + batch, roots_wanted))
        )
        roots.extend(a.pk for a in made)
    replies_wanted = total - roots_wanted
    for first in range(0, replies_wanted, batch):
        Annotation.objects.bulk_create(
            Annotation(
                reading=reading,
                revision=revision,
                parent_id=roots[j % len(roots)],
                thread_id=roots[j % len(roots)],
                kind="reply",
                author=students[(j + 7) % len(students)],
                text=prose(j),
                html=f"<p>A reply {j}</p>",
            )
            for j in range(first, min(first + batch, replies_wanted))
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum would have done after such a load
    return seminar, students[0], teacher


def timed(user, seminar, query, runs):
    from annotations.search.services import search

    for _ in range(2):
        found = search(user=user, seminar=seminar, query=query)
    times = []
    for _ in range(runs):
        # A request's user object: the role cache starts empty, as it does per request.
        user.__dict__.pop("_seminar_roles", None)
        started = time.perf_counter()
        search(user=user, seminar=seminar, query=query)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), found.count


def _load():
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotations", type=int, default=100_000, help="how many to seed")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs of each query")
    args = parser.parse_args()
    print(f"Load average at the start: {_load()}")
    connection = django_setup()
    started = time.perf_counter()
    seminar, student, teacher = seed(args.annotations)
    print(f"Seeded {args.annotations:,} annotations in {time.perf_counter() - started:.1f} s")
    print(f"{connection.vendor}, {machine()}, load {_load()}")
    print(f"{'query':28} {'as':10} {'results':>8} {'median ms':>10} {'max ms':>8}")
    medians = []
    for query in typical_queries(vocabulary()):
        for name, user in (("student", student), ("instructor", teacher)):
            median, slowest, count = timed(user, seminar, query, args.runs)
            medians.append(median)
            print(f"{query:28} {name:10} {count:8,} {median:10.1f} {slowest:8.1f}")
    overall = statistics.median(medians)
    print(
        f"median of the medians: {overall:.1f} ms; slowest median: {max(medians):.1f} ms "
        f"(issue 16's goal: under 150 ms median)"
    )
    print(f"Load average at the end: {_load()} (a shared machine: times vary with it).")
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
