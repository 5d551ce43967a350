"""Exporting 100,000 annotations as CSV and as JSON-LD, beside PostgreSQL's own COPY.

Seeds a seminar of 60 students with 100,000 annotations on the blog reading (critiques with
prose-length text, quotes, tags; a third of them replies), 50,000 helpful marks and 10,000
rubric scores, then streams the seminar's annotations through annotations.export exactly as
the download views do, counting the bytes. For each format it prints

- seconds (best of RUNS, no tracing; the ZIP: one run) and MB/s;
- peak Python memory while exporting (tracemalloc, a separate run: tracing slows Python) and,
  on PostgreSQL, the peak resident set (VmHWM) of a fresh process that exports once, and its
  growth during the export;

and, on PostgreSQL, the time of `COPY (<the export's own SELECT>) TO STDOUT (FORMAT csv)`
through psycopg's `cursor.copy`: the same rows, leaving the database as fast as it can send
them. The whole-seminar ZIP (data.json, grades.csv, and CSV, JSON-LD, HTML and Markdown of
the reading) is measured too; it has no COPY to compare with.

Targets (issue 7): within 3× of COPY, under 150 MB peak; issue 15's: the seminar ZIP
within 5× of COPY, CSV and JSON-LD within 2× (the last lines print those ratios, from this
one run). The figures, the machine and whether the targets are met are in
docs/performance.md, "Exporting 100,000 annotations".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seminar .venv/bin/python bench/export.py
    .venv/bin/python bench/export.py --annotations 20000     # SQLite, no COPY
    DATABASE_URL=... .venv/bin/python bench/export.py --annotations 5000 --runs 1 --no-memory
"""

import argparse
import os
import subprocess
import sys
import time
import tracemalloc
from urllib.parse import urlsplit

from harness import BLOG, READINGS, ROOT, django_setup, machine

RUNS = 3
WORDS = (
    "the intervention timing claim seems premature because evidence from Chad and the "
    "Guardian suggests otherwise while the regional actors still disagree about legitimacy"
).split()


def seed(total):
    from annotations.models import Annotation, Score, Vote
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
    name = BLOG
    parsed = parse_upload(data=(READINGS / name).read_bytes(), filename=name)
    reading = reading_import(
        seminar=seminar, creator=teacher, parsed=parsed, status=ReadingStatus.PUBLISHED
    )
    revision = reading.current_revision
    text = revision.text
    spaces = [i for i, ch in enumerate(text) if ch == " "]
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
                text=" ".join(WORDS[(i + k) % len(WORDS)] for k in range(25)) + f", {i}?",
                html=f"<p>Critique {i}</p>",
                quote_exact=text[spaces[i % len(spaces)] + 1 : spaces[i % len(spaces)] + 40],
                quote_prefix=text[max(0, spaces[i % len(spaces)] - 31) : spaces[i % len(spaces)]],
                quote_suffix=text[spaces[i % len(spaces)] + 40 : spaces[i % len(spaces)] + 72],
                original_quote=text[spaces[i % len(spaces)] + 1 : spaces[i % len(spaces)] + 40],
                start=spaces[i % len(spaces)] + 1,
                end=spaces[i % len(spaces)] + 40,
                anchor_status="anchored",
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
                text=f'A reply, with a comma and a "quote": {j}',
                html=f"<p>A reply {j}</p>",
            )
            for j in range(first, min(first + batch, replies_wanted))
        )
    Vote.objects.bulk_create(
        (
            Vote(annotation_id=roots[k % len(roots)], user=students[(k // len(roots)) + 1])
            for k in range(min(50_000, len(roots) * 50))
        ),
        batch_size=batch,
    )
    Score.objects.bulk_create(
        (Score(annotation_id=pk, value=pk % 4, grader=teacher) for pk in roots[:10_000]),
        batch_size=batch,
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would have done after such a load
    return seminar


def drain(chunks):
    return sum(len(chunk) for chunk in chunks)


def streams(seminar):
    from annotations.export import archive, csvfile, jsonld
    from annotations.export.snapshot import Options, Scope

    def scope():
        # A fresh scope per run, as a request makes one.
        return Scope(seminar, Options(base_url="https://seminar.example"))

    return {
        "CSV": lambda: csvfile.stream(scope()),
        "JSON-LD": lambda: jsonld.stream(scope()),
        "Seminar ZIP (every format)": lambda: archive.stream(scope()),
    }


def seconds(make_chunks, runs=RUNS):
    best, size = None, 0
    for _ in range(runs):
        started = time.perf_counter()
        size = drain(make_chunks())
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, size


def traced_peak(make_chunks):
    tracemalloc.start()
    drain(make_chunks())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def rss(name, database):
    """(peak resident set of a fresh process that exports once, its growth during the
    export) in MB: the bench process itself holds the memory of seeding, which would hide
    an export's. Read from /proc (VmHWM): ru_maxrss survives exec on Linux."""
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + database).geturl()
    env = dict(os.environ, DATABASE_URL=url)
    out = subprocess.run(  # noqa: S603 - this very script, with our own arguments
        [sys.executable, __file__, "--child", name],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    peak, growth = out.stdout.split()
    return float(peak), float(growth)


def _vm(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB -> MB
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(name):
    """In a fresh process on the seeded database: one export; print its peak RSS, growth."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SEMINAR_PLAIN_STATIC", "1")
    import django

    django.setup()
    from seminar.models import Seminar

    make_chunks = streams(Seminar.objects.get(title="Bench"))[name]
    before = _vm("VmHWM")
    drain(make_chunks())
    peak = _vm("VmHWM")
    print(f"{peak:.1f} {peak - before:.1f}")


def copy_seconds(seminar, runs=RUNS):
    """COPY of the CSV export's own SELECT, read to the end by psycopg."""
    from django.db import connection

    from annotations.export.snapshot import LIST_FIELDS, Options, Scope

    scope = Scope(seminar, Options(base_url="https://seminar.example"))
    queryset = scope.annotation_values(scored=True, fields=LIST_FIELDS)
    sql, params = queryset.query.sql_with_params()
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER)"
    best, size = None, 0
    # One untimed COPY first: the first reader of freshly seeded rows pays for the cold
    # cache (and hint bits), which is no part of either side of the ratio.
    for n in range(runs + 1):
        connection.ensure_connection()
        started = time.perf_counter()
        size = 0
        with connection.connection.cursor() as cursor, cursor.copy(statement, params) as copy:
            for data in copy:
                size += len(data)
        elapsed = time.perf_counter() - started
        if n:
            best = elapsed if best is None else min(best, elapsed)
    return best, size


def _load():
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotations", type=int, default=100_000, help="how many to seed")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs of COPY, CSV, JSON-LD")
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the tracemalloc and RSS runs (faster)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    print(f"Load average at the start: {_load()}")
    connection = django_setup()
    started = time.perf_counter()
    seminar = seed(args.annotations)
    print(f"Seeded {args.annotations:,} annotations in {time.perf_counter() - started:.1f} s")
    print(f"{connection.vendor}, {machine()}, load {_load()}")
    postgres = connection.vendor == "postgresql"
    rows = {}
    if postgres:
        rows["COPY (SELECT …) TO STDOUT"] = (*copy_seconds(seminar, args.runs), None, None)
    for name, make_chunks in streams(seminar).items():
        best, size = seconds(make_chunks, runs=1 if "ZIP" in name else args.runs)
        # The seeded rows are committed (the harness runs in autocommit), so a fresh process
        # sees them.
        memory = (
            rss(name, connection.settings_dict["NAME"]) if postgres and not args.no_memory else None
        )
        peak = None if args.no_memory else traced_peak(make_chunks)
        rows[name] = (best, size, peak, memory)
    copy = rows.get("COPY (SELECT …) TO STDOUT")
    print(
        f"{'':28} {'seconds':>8} {'MB':>7} {'MB/s':>6} {'× COPY':>7} "
        f"{'traced MB':>9} {'RSS MB':>7} {'RSS +MB':>7}"
    )
    for name, (best, size, peak, memory) in rows.items():
        ratio = f"{best / copy[0]:.2f}" if copy else "—"
        peak_text = f"{peak:.1f}" if peak is not None else "—"
        rss_text, growth_text = (f"{m:.1f}" for m in memory) if memory else ("—", "—")
        print(
            f"{name:28} {best:8.2f} {size / 2**20:7.1f} {size / 2**20 / best:6.1f} "
            f"{ratio:>7} {peak_text:>9} {rss_text:>7} {growth_text:>7}"
        )
    print("traced MB: peak Python allocations while exporting (tracemalloc); RSS MB: peak")
    print("resident set of a fresh process that exports once (Django loaded and all), and its")
    print("growth during the export (PostgreSQL only).")
    n = f"{args.annotations:,}"
    if copy:
        zip_ratio = rows["Seminar ZIP (every format)"][0] / copy[0]
        csv_ratio = rows["CSV"][0] / copy[0]
        jsonld_ratio = rows["JSON-LD"][0] / copy[0]
        print(
            f"seminar ZIP of {n} annotations ÷ PostgreSQL COPY of the same rows: "
            f"{zip_ratio:.1f}× (issue 15's goal: ≤ 5×)"
        )
        print(
            f"CSV and JSON-LD ÷ COPY: {csv_ratio:.2f}× and {jsonld_ratio:.2f}× "
            "(issue 15's goal: ≤ 2×)"
        )
    else:
        print(f"No COPY on {connection.vendor}: the ratios need DATABASE_URL=postgres://…")
    print(f"Load average at the end: {_load()} (a shared machine: ratios vary with it).")
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
