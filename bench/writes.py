"""Writes per second at 50 connections: POST /api/readings/{id}/annotations against a bare
POST view that inserts one row, and a check that each acknowledged write is stored once.

Seeds a lecture (bench/server.py: 200 students, the blog reading with 2,000 annotations),
gives each of the first --users students a personal API token, starts gunicorn (3 workers,
bench.settings) and drives wrk (bench/wrk/post.lua) for --duration seconds at --connections:

1. the bare write (`POST /bench/bare-write/`, session cookies, one INSERT in a transaction;
   bench/baseline_urls.py);
2. passage critiques through the API (`Authorization: Bearer <token>`, JSON with two W3C
   selectors on one of 50 passages, tokens used in turn).

Every body carries a marker of its own (wrk<run>-<thread>-<n>) in its text and client_id; the
server echoes the stored text, and wrk keeps the marker of every 2xx response. Afterwards
the rows are counted by marker: each acknowledged marker must be stored exactly once, and
no marker twice (rows beyond the acknowledged ones are requests still in flight when wrk
stopped). The API's write throttle (120 a minute per user) is raised for the run
(BENCH_API_WRITE_LIMIT) so the figure is of writing, not of 429s; the throttle still runs.

Also prints the queries one POST runs, measured in this process with Django's test client
and CaptureQueriesContext (issue 15's goal: ≤ 6), and the ratio of req/s (goal ≥ 0.4).

    .venv/bin/python bench/writes.py                          # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seminar .venv/bin/python bench/writes.py
    .venv/bin/python bench/writes.py --duration 5 --show-queries

Needs wrk (apt-get install -y wrk).
"""

import argparse
import json
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

import server
from harness import machine

MARK = re.compile(r"wrk[a-z]*-\d+-\d+")
# Transaction control, which SQLite's backend logs as statements and PostgreSQL's does not
# (BEGIN there is implicit): not counted as queries.
CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--users", type=int, default=50, help="students who write (tokens)")
    parser.add_argument("--show-queries", action="store_true", help="print one POST's SQL")
    args = parser.parse_args()
    server.wrk_binary()

    print(f"load average at start: {server.load()}")
    connection, url = server.setup("writes")
    work = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    try:
        started = time.perf_counter()
        lecture = server.seed_class(students=args.students)
        writers = lecture["students"][: args.users]
        tokens = make_tokens(writers)
        cookies = [server.session_cookie(user) for user in writers]
        server.collect_static()
        print(
            f"{connection.vendor}; {machine()}; seeded {lecture['annotations']:,} annotations, "
            f"{args.students} students, {len(tokens)} tokens in "
            f"{time.perf_counter() - started:.1f} s"
        )
        reading = lecture["reading"]
        api_path = f"/api/readings/{reading.pk}/annotations"
        api_body = json.dumps(
            {
                "kind": "critique",
                "text": "Critique @MARK@: is the sweet spot claim premature?",
                "tags": ["timing"],
                "visibility": "seminar",
                "client_id": "@MARK@",
                "target": "@TARGET@",
            }
        )
        api_bodies = [
            api_body.replace('"@TARGET@"', json.dumps(server.target(spot)))
            for spot in lecture["passages"][:50]
        ]
        bare_bodies = [json.dumps({"text": "Bare @MARK@"})]
        queries = count_queries(api_path, api_bodies[0], tokens[0], cookies[0], args)
        connection.close()

        files = {
            "api": write_lines(work / "api.txt", api_bodies),
            "bare": write_lines(work / "bare.txt", bare_bodies),
            "tokens": write_lines(work / "tokens.txt", [f"Bearer {t}" for t in tokens]),
            "cookies": write_lines(work / "cookies.txt", [f"sessionid={c}" for c in cookies]),
        }
        env = {"BENCH_API_WRITE_LIMIT": str(10**9)}
        with server.Gunicorn(url, workers=args.workers, env=env) as gunicorn:
            base = f"http://127.0.0.1:{gunicorn.port}"
            probe(gunicorn.port, api_path, api_bodies[0], tokens[0])
            runs = {}
            for name, path, bodies, auth, header in [
                ("bare POST", "/bench/bare-write/", files["bare"], files["cookies"], "Cookie"),
                ("API POST", api_path, files["api"], files["tokens"], "Authorization"),
            ]:
                runs[name] = post(base + path, bodies, auth, header, work, name, args)
                print(f"  {name}: {runs[name]['req_s']:.1f} req/s", flush=True)
            tracebacks, timeouts = gunicorn.errors()
            exceptions = gunicorn.exceptions()
        checks = {
            "bare POST": verify(runs["bare POST"]["acked"], stored_bare(connection)),
            "API POST": verify(runs["API POST"]["acked"], stored_annotations(reading)),
        }
        report(runs, checks, queries, args)
        if tracebacks or timeouts:
            print(f"gunicorn log: {tracebacks} tracebacks, {timeouts} worker timeouts")
            for n, line in exceptions:
                print(f"  {n} × {line}")
    finally:
        server.teardown(connection)
        for path in work.iterdir():
            path.unlink()
        work.rmdir()
        print(f"load average at end: {server.load()}")


def make_tokens(users):
    from seminar.tokens import token_create

    return [token_create(user=user, name="bench writes")[1] for user in users]


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines))
    return path


def count_queries(api_path, body, token, cookie, args):
    """Queries of one API POST and of one bare POST, in this process (the third of three:
    the first pays for what a warm worker has already loaded)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    found = {}
    for name, path, text, extra in [
        ("API POST", api_path, body, {"HTTP_AUTHORIZATION": f"Bearer {token}"}),
        ("bare POST", "/bench/bare-write/", json.dumps({"text": "Bare @MARK@"}), {}),
    ]:
        if name == "bare POST":
            client.cookies["sessionid"] = cookie
        for n in range(3):
            marked = text.replace("@MARK@", f"inproc-{n}")
            with CaptureQueriesContext(connection) as captured:
                response = client.post(path, marked, content_type="application/json", **extra)
            assert response.status_code == 201, (name, response.status_code, response.content)
        statements = [q["sql"] for q in captured.captured_queries]
        data = [sql for sql in statements if not CONTROL.match(sql)]
        found[name] = (len(data), len(statements))
        if args.show_queries:
            print(f"{name}: {len(data)} queries ({len(statements)} statements)")
            for sql in statements:
                print(f"  {sql[:300]}")
    # The in-process rows carry no wrk marker: the check below ignores them.
    return found


def probe(port, path, body, token):
    status, _, content = server.get(
        port,
        path,
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
        body=body.replace("@MARK@", "probe-0").encode(),
    )
    if status != 201:
        raise SystemExit(f"POST {path} through gunicorn answered {status}:\n{content[:500]!r}")


def post(url, bodies, auth, header, work, name, args):
    acked = work / f"acked-{name.split()[0]}.txt"
    env = {
        "BENCH_BODIES": str(bodies),
        "BENCH_AUTH": str(auth),
        "BENCH_AUTH_HEADER": header,
        "BENCH_ACKED": str(acked),
    }
    common = dict(script="post.lua", connections=args.connections, threads=args.threads)
    warm = []
    if args.warmup:
        # Markers of its own (wrkw-…): its acknowledged writes are checked with the others.
        server.wrk(url, duration=args.warmup, env=dict(env, BENCH_RUN="w"), **common)
        warm = acked.read_text().split()
    result = server.wrk(url, duration=args.duration, env=dict(env, BENCH_RUN="m"), **common)
    result["acked"] = warm + acked.read_text().split()
    result["warm"] = len(warm)
    return result


def stored_bare(connection):
    from bench.baseline_urls import TABLE

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM {TABLE}")  # noqa: S608
        return [text for (text,) in cursor.fetchall()]


def stored_annotations(reading):
    from annotations.models import Annotation

    return list(Annotation.objects.filter(reading=reading).values_list("text", flat=True))


def verify(acked, texts):
    """Stored rows by marker against the acknowledged markers."""
    stored = Counter(m for text in texts for m in MARK.findall(text))
    acknowledged = Counter(acked)
    return {
        "acknowledged": sum(acknowledged.values()),
        "distinct acknowledged": len(acknowledged),
        "stored": sum(stored.values()),
        "missing": sum(1 for m in acknowledged if stored[m] == 0),
        "duplicated": sum(1 for m, n in stored.items() if n > 1),
        "unacknowledged rows": sum(1 for m in stored if m not in acknowledged),
    }


def report(runs, checks, queries, args):
    bare = runs["bare POST"]["req_s"]
    print(
        f"\n{args.duration} s each at {args.connections} connections, {args.workers} "
        f"gunicorn workers, {args.users} writers"
    )
    print(
        f"{'':10} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>7} {'queries':>8} "
        f"{'(stmts)':>7}  statuses"
    )
    for name, row in runs.items():
        statuses = ", ".join(f"{k[1:]}: {row[k]}" for k in ("s2xx", "s4xx", "s5xx") if row[k])
        errors = row["connect_errors"] + row["read_errors"] + row["write_errors"]
        if errors or row["timeouts"]:
            statuses += f"; socket errors {errors}, timeouts {row['timeouts']}"
        goal = "  (goal ≥ 0.4, ≤ 6 queries)" if name == "API POST" else ""
        print(
            f"{name:10} {row['req_s']:8.1f} {row['p50_us'] / 1000:8.1f} "
            f"{row['p95_us'] / 1000:8.1f} {row['req_s'] / bare:7.3f} {queries[name][0]:8} "
            f"{queries[name][1]:7}  "
            f"{statuses}{goal}"
        )
    print("\nEvery acknowledged write stored exactly once? (warm-up runs included)")
    for name, check in checks.items():
        problems = check["missing"] or check["duplicated"]
        if check["distinct acknowledged"] != check["acknowledged"]:
            problems = True  # the same marker acknowledged twice: the run's own bug
        unechoed = runs[name].get("unechoed", 0)
        verdict = "FAILED" if problems or unechoed else "yes"
        print(
            f"  {name}: {verdict}: {check['acknowledged']} acknowledged (2xx), "
            f"{check['stored']} stored, {check['missing']} missing, "
            f"{check['duplicated']} duplicated, {check['unacknowledged rows']} stored but "
            f"not acknowledged (in flight when wrk stopped)"
            + (f", {unechoed} 2xx without a marker" if unechoed else "")
        )


if __name__ == "__main__":
    main()
