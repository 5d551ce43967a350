"""The heat map of a reading with 100,000 annotations: GET /api/readings/{id}/insight.

Seeds a seminar of 200 students in 8 groups of 25 (an instructor and a TA besides) with one
reading, the project's five readings end to end (16,500 characters, about 2,700 words), and
100,000 annotations on it:

- 72% posts on a passage, word-aligned, all five kinds (critiques 30%, questions 25%,
  notes 20%, evidence 15%, connections 10%): half of them on one of 40 passages the class
  piles onto (each post's ends a few words either side of the passage's), the rest anywhere,
  1 to 120 words long (most under 20);
- 25% replies under those posts, 3% page comments;
- among the passage posts, some the map must not count: private notes (6%), hidden (2%),
  deleted (1%), orphaned (3%, their last place kept, as re-anchoring leaves it) and the
  staff's own (2%); and some it must count: posts awaiting approval (2%) and posts for
  instructors only (3%).

Then, through Django's test client as the instructor (server time, no network: as
bench/reading_page.py), it times the endpoint for the class and for one group: warm (3
requests first, untimed), then RUNS requests; prints the median and p95, the spans returned,
the payload's size and the queries, and checks `posts` against the count worked out while
seeding. In the same run, for the ratios (the machine's speed and load cancel out):

- the bare view of bench/baseline_urls.py (`/bench/bare/`: a logged-in user, one query, a
  tiny template, behind the same middleware), which the server benchmarks divide by;
- `SELECT count(*)` of the very rows the map sums (services.class_passages): the least
  the database can do to read them;
- the parts of the endpoint, for the class: the service (services.passage_map: the query,
  the sweep and the spans as dicts), the union query alone (services._boundary_rows) and
  the sweep alone; what the request costs beyond the service is the API's (the response
  schema, JSON, the middleware).

`--explain` prints PostgreSQL's plan of the union query (EXPLAIN ANALYZE, BUFFERS).

Goal (issue 18): under 300 ms median on PostgreSQL. Figures: docs/performance.md, "Insight".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seminar_helper_c \\
        .venv/bin/python bench/insight.py
    DATABASE_URL=... .venv/bin/python bench/insight.py --annotations 20000 --runs 11 --explain
    .venv/bin/python bench/insight.py --annotations 5000        # SQLite in a temporary file

On PostgreSQL the throwaway database is named after DATABASE_URL's (`<name>_insight_<pid>`,
created and dropped here; never `test_<name>`, which the test suite may be using).
"""

import argparse
import contextlib
import io
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from harness import READINGS, ROOT, machine
from server import percentile

RUNS = 21
STUDENTS, GROUPS, HOT = 200, 8, 40
KINDS = (("critique", 30), ("question", 25), ("note", 20), ("evidence", 15), ("connection", 10))
BATCH = 5000


def setup():
    """Django with bench.settings (the project's, plus the bare view) on a fresh database:
    harness.django_setup, but named after DATABASE_URL's database on PostgreSQL."""
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("SEMINAR_PLAIN_STATIC", "1")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # WhiteNoise: no static
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        connection.settings_dict["TEST"]["NAME"] = f"{name}_insight_{os.getpid()}"
    with contextlib.redirect_stdout(io.StringIO()):  # "Cache table … already exists."
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection


def words_of(text):
    """(start, end) of every word of `text`, in order."""
    found, start = [], None
    for i, ch in enumerate(text):
        if ch.isspace():
            if start is not None:
                found.append((start, i))
                start = None
        elif start is None:
            start = i
    if start is not None:
        found.append((start, len(text)))
    return found


def seed(total, rng):
    """The seminar, its reading and `total` annotations. Returns a dict of what the
    benchmark needs, with the posts the map should count for the class and for group 0."""
    from annotations.models import Annotation
    from annotations.revisions.readings import parse_upload, reading_import
    from seminar.models import Group, Membership, ReadingStatus, Role, User
    from seminar.services import seminar_create

    teacher = User.objects.create_user("teacher", password="x", display_name="Dr. Teacher")
    ta = User.objects.create_user("ta", password="x", display_name="A. Assistant")
    students = User.objects.bulk_create(
        User(username=f"s{i}", display_name=f"Student {i}", email=f"s{i}@example.org")
        for i in range(STUDENTS)
    )
    seminar = seminar_create(title="Bench", creator=teacher)
    groups = [Group.objects.create(seminar=seminar, name=f"Group {n + 1}") for n in range(GROUPS)]
    Membership.objects.create(seminar=seminar, user=ta, role=Role.TA)
    Membership.objects.bulk_create(
        Membership(seminar=seminar, user=s, role=Role.STUDENT, group=groups[i % GROUPS])
        for i, s in enumerate(students)
    )
    other = seminar_create(title="Elsewhere", creator=ta)
    elsewhere = Group.objects.create(seminar=other, name="Theirs")

    source = "\n\n".join(
        path.read_text(encoding="utf-8") for path in sorted(READINGS.glob("*.txt"))
    )
    parsed = parse_upload(data=source.encode(), filename="course-reader.txt")
    reading = reading_import(
        seminar=seminar, creator=teacher, parsed=parsed, status=ReadingStatus.PUBLISHED
    )
    revision = reading.current_revision
    text = revision.text
    words = words_of(text)
    hot = []
    for _ in range(HOT):
        first = rng.randrange(len(words) - 40)
        hot.append((first, first + rng.randint(3, 30)))
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]

    def where():  # (first word, last word) of a passage
        if rng.random() < 0.5:
            first, last = rng.choice(hot)
            first = max(0, first + rng.randint(-3, 3))
            last = min(len(words) - 1, max(first, last + rng.randint(-3, 3)))
            return first, last
        first = rng.randrange(len(words))
        length = min(120, int(rng.expovariate(1 / 12)))
        return first, min(len(words) - 1, first + length)

    passages_wanted = total * 72 // 100
    comments_wanted = total * 3 // 100
    replies_wanted = total - passages_wanted - comments_wanted
    counted = {"class": 0, "group": 0}
    roots = []
    for batch_start in range(0, passages_wanted, BATCH):
        rows = []
        for i in range(batch_start, min(batch_start + BATCH, passages_wanted)):
            first, last = where()
            start, end = words[first][0], words[last][1]
            roll = rng.random()
            visibility = "private" if roll < 0.06 else "instructors" if roll < 0.09 else "seminar"
            roll = rng.random()
            status = (
                "hidden"
                if roll < 0.02
                else "deleted"
                if roll < 0.03
                else "pending"
                if roll < 0.05
                else "published"
            )
            orphaned = rng.random() < 0.03
            staff = rng.random() < 0.02
            author_index = rng.randrange(STUDENTS)
            author = (teacher if i % 2 else ta) if staff else students[author_index]
            if (
                visibility != "private"
                and status in ("published", "pending")
                and not orphaned
                and not staff
            ):
                counted["class"] += 1
                counted["group"] += author_index % GROUPS == 0
            rows.append(
                Annotation(
                    reading=reading,
                    revision=revision,
                    anchored_revision=revision,
                    author=author,
                    kind=rng.choices(kinds, weights)[0],
                    text=f"On {start}-{end}, post {i}.",
                    html=f"<p>On {start}-{end}, post {i}.</p>",
                    quote_exact=text[start:end],
                    quote_prefix=text[max(0, start - 32) : start],
                    quote_suffix=text[end : end + 32],
                    start=start,
                    end=end,
                    anchor_status="orphaned" if orphaned else "anchored",
                    visibility=visibility,
                    status=status,
                )
            )
        roots.extend(a.pk for a in Annotation.objects.bulk_create(rows))
    for batch_start in range(0, replies_wanted, BATCH):
        rows = []
        for j in range(batch_start, min(batch_start + BATCH, replies_wanted)):
            root = rng.choice(roots)
            rows.append(
                Annotation(
                    reading=reading,
                    revision=revision,
                    parent_id=root,
                    thread_id=root,
                    kind="reply",
                    author=students[rng.randrange(STUDENTS)],
                    text=f"A reply {j}",
                    html=f"<p>A reply {j}</p>",
                )
            )
        Annotation.objects.bulk_create(rows)
    Annotation.objects.bulk_create(
        (
            Annotation(
                reading=reading,
                revision=revision,
                kind="comment",
                author=students[rng.randrange(STUDENTS)],
                text=f"A comment {c}",
                html=f"<p>A comment {c}</p>",
            )
            for c in range(comments_wanted)
        ),
        batch_size=BATCH,
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum would have done after such a load
    return {
        "teacher": teacher,
        "student": students[0],
        "reading": reading,
        "group": groups[0],
        "elsewhere": elsewhere,
        "counted": counted,
        "annotations": Annotation.objects.filter(reading=reading).count(),
    }


def timed(call, runs):
    """Warm (3 untimed calls), then `runs` timed ones: (median ms, p95 ms, the last result)."""
    for _ in range(3):
        result = call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 95), result


def request(client, url):
    def call():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:200])
        return response

    return call


def queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def explain(reading, group):
    """PostgreSQL's plan of the union query, as the endpoint sends it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annotations.insight import services

    with CaptureQueriesContext(connection) as captured:
        services._boundary_rows(reading, group)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {captured[-1]['sql']}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _load():
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotations", type=int, default=100_000, help="how many to seed")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed requests of each kind")
    parser.add_argument("--explain", action="store_true", help="print the union query's plan")
    args = parser.parse_args()
    print(f"Load average at the start: {_load()}")
    connection = setup()
    from django.db.models import Count
    from django.test import Client

    from annotations.insight import services
    from annotations.insight.spans import sweep

    started = time.perf_counter()
    seeded = seed(args.annotations, random.Random(18))
    reading, group = seeded["reading"], seeded["group"]
    print(
        f"Seeded {seeded['annotations']:,} annotations in {time.perf_counter() - started:.1f} s; "
        f"the map counts {seeded['counted']['class']:,} (group: {seeded['counted']['group']:,})"
    )
    print(f"{connection.vendor}, {machine()}, load {_load()}")

    client = Client()
    client.force_login(seeded["student"])
    url = f"/api/readings/{reading.pk}/insight"
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404 and 400 below
    assert client.get(url).status_code == 404, "a student sees no insight"
    client.force_login(seeded["teacher"])
    assert client.get(f"{url}?group={seeded['elsewhere'].pk}").status_code == 400

    rows = {}
    for label, address, expected in (
        ("class", url, seeded["counted"]["class"]),
        (f"group ({group.name})", f"{url}?group={group.pk}", seeded["counted"]["group"]),
    ):
        median, p95, response = timed(request(client, address), args.runs)
        body = json.loads(response.content)
        assert body["posts"] == expected, (label, body["posts"], expected)
        rows[label] = (median, p95, len(body["spans"]), len(response.content), body["posts"])
        rows[label] += (queries(client, address),)
    bare = timed(request(client, "/bench/bare/"), args.runs)

    def count(g):
        return lambda: services.class_passages(reading=reading, group=g).aggregate(n=Count("pk"))

    counts = {"class": timed(count(None), args.runs), "group": timed(count(group), args.runs)}
    service = timed(lambda: services.passage_map(reading=reading), args.runs)
    union = timed(lambda: services._boundary_rows(reading, None), args.runs)
    boundaries = union[2]
    swept = timed(lambda: sweep(boundaries), args.runs)

    print(f"{args.runs} timed requests each, after 3 untimed (server time, Django's test client)")
    print(
        f"{'request':18} {'median ms':>10} {'p95 ms':>8} {'spans':>6} {'bytes':>8} "
        f"{'posts':>7} {'queries':>7} {'÷ bare':>7} {'÷ count':>8}"
    )
    for label, (median, p95, spans, size, posts, n) in rows.items():
        base = counts["group" if label.startswith("group") else "class"][0]
        print(
            f"{label:18} {median:10.1f} {p95:8.1f} {spans:6,} {size:8,} {posts:7,} {n:7} "
            f"{median / bare[0]:7.1f} {median / base:8.1f}"
        )
    print(f"{'bare view':18} {bare[0]:10.1f} {bare[1]:8.1f}")
    for label, (median, p95, _) in counts.items():
        print(f"{'count(*), ' + label:18} {median:10.1f} {p95:8.1f}")
    print(f"{'passage_map()':18} {service[0]:10.1f} {service[1]:8.1f}   (the service, no HTTP)")
    print(f"{'union query':18} {union[0]:10.1f} {union[1]:8.1f}   ({len(boundaries):,} rows)")
    print(f"{'sweep':18} {swept[0]:10.1f} {swept[1]:8.1f}")
    verdict = "met" if rows["class"][0] < 300 else "NOT met"
    print(f"issue 18's goal, under 300 ms median for the class: {verdict}")
    if args.explain and connection.vendor == "postgresql":
        print(explain(reading, None))
    print(f"Load average at the end: {_load()} (a shared machine: times vary with it).")
    connection.close()
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
