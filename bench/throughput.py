"""Requests per second of the busy pages under gunicorn, against a bare Django view.

Seeds a lecture (bench/server.py: 200 students, the blog reading with 2,000 annotations in
500 threads), starts gunicorn (3 sync workers, config.wsgi with bench.settings, 127.0.0.1)
and drives wrk for --duration seconds at --connections against each of these in turn, the
whole turn --rounds times (so that the machine's busy and quiet spells fall on all alike):

- the bare view (`/bench/bare/`: a logged-in user, one query, a tiny template; see
  bench/baseline_urls.py) that every ratio divides by;
- the seminar page, the reading page, and GET /api/readings/{id}/annotations;
- the same list with `If-None-Match: <its ETag>` (the repeat load that changed nothing:
  304 expected) — or "no ETag" when the list sends none.

Every request carries the session cookie of one logged-in student. For each it prints
req/s, p50/p95 latency (wrk's), the ratio to the bare view's req/s, the body size and wrk's
bytes per response (headers included), and the status classes wrk saw. Issue 15's goals:
reading page ≥ 0.5, seminar page ≥ 0.6, list ≥ 0.2, 304 ≥ 0.8.

    .venv/bin/python bench/throughput.py                      # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seminar .venv/bin/python bench/throughput.py
    .venv/bin/python bench/throughput.py --duration 5 --only bare,list   # a quick look

Needs wrk (apt-get install -y wrk). Read the ratios, not the seconds, on a shared machine.
"""

import argparse
import statistics
import time

import server
from harness import machine

TARGETS = ("bare", "seminar", "reading", "list", "list-304")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each")
    parser.add_argument("--connections", type=int, default=12, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--rounds", type=int, default=2, help="turns through the targets")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument(
        "--threads-seeded",
        type=int,
        default=500,
        dest="seeded_threads",
        help="critiques on the reading (each with 3 replies)",
    )
    parser.add_argument(
        "--only", default=",".join(TARGETS), help=f"comma-separated subset of {','.join(TARGETS)}"
    )
    args = parser.parse_args()
    only = [t.strip() for t in args.only.split(",") if t.strip()]
    unknown = set(only) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    server.wrk_binary()  # say how to install it before seeding anything

    print(f"load average at start: {server.load()}")
    connection, url = server.setup("throughput")
    try:
        started = time.perf_counter()
        lecture = server.seed_class(students=args.students, threads=args.seeded_threads)
        cookie = server.session_cookie(lecture["students"][1])
        static_seconds = server.collect_static()
        print(
            f"{connection.vendor}; {machine()}; seeded {lecture['annotations']:,} annotations, "
            f"{args.students} students in {time.perf_counter() - started:.1f} s "
            f"(collectstatic {static_seconds:.1f} s)"
        )
        reading = lecture["reading"]
        paths = {
            "bare": "/bench/bare/",
            "seminar": lecture["seminar"].get_absolute_url(),
            "reading": reading.get_absolute_url(),
            "list": f"/api/readings/{reading.pk}/annotations",
        }
        connection.close()  # the servers' connections only, while they are measured
        with server.Gunicorn(url, workers=args.workers) as gunicorn:
            rows = measure(gunicorn, paths, cookie, only, args)
            tracebacks, timeouts = gunicorn.errors()
            exceptions = gunicorn.exceptions()
        report(rows, args)
        if tracebacks or timeouts:
            print(f"gunicorn log: {tracebacks} tracebacks, {timeouts} worker timeouts")
            for n, line in exceptions:
                print(f"  {n} × {line}")
    finally:
        server.teardown(connection)
        print(f"load average at end: {server.load()}")


def measure(gunicorn, paths, cookie, only, args):
    """Each target once per round, in turn, for --rounds rounds: a quiet or a busy spell of
    the shared machine falls on the bare view and on the pages alike. Per target: the
    rounds' requests over their seconds, the median of their p50 and p95, statuses summed."""
    targets = {name: prepare(gunicorn, paths, cookie, name) for name in only}
    runs = {name: [] for name, target in targets.items() if "note" not in target}
    for _ in range(args.rounds):
        for name in runs:
            runs[name].append(load(gunicorn, cookie, targets[name], args))
    rows = {}
    for name, target in targets.items():
        if name not in runs:
            rows[name] = {"note": target["note"], "size": None}
            continue
        rows[name] = combined(runs[name]) | {"size": target["size"], "note": target["shown"]}
        print(f"  {name}: {rows[name]['req_s']:.1f} req/s ({args.rounds} rounds)", flush=True)
    return rows


def prepare(gunicorn, paths, cookie, name):
    """The target's path, headers, body size and note, from one GET (and one with the
    list's ETag for list-304), checking it answers as it should."""
    path = paths["list" if name == "list-304" else name]
    cookies = {"Cookie": f"sessionid={cookie}"}
    status, response_headers, body = server.get(gunicorn.port, path, cookies)
    if status != 200:
        raise SystemExit(f"{name}: GET {path} answered {status}, not 200:\n{body[:500]!r}")
    target = {"path": path, "extra": [], "size": len(body), "shown": ""}
    if name == "list-304":
        etag = response_headers.get("etag")
        if not etag:
            return {"note": "no ETag"}
        target["extra"] = [f"If-None-Match: {etag}"]
        status, _, body = server.get(gunicorn.port, path, cookies | {"If-None-Match": etag})
        target["size"] = len(body)
        target["shown"] = f"repeat answered {status}" if status != 304 else ""
    gzip = response_headers.get("content-encoding", "")
    target["shown"] = target["shown"] or (f"({gzip})" if gzip else "")
    return target


def load(gunicorn, cookie, target, args):
    url = f"http://127.0.0.1:{gunicorn.port}{target['path']}"
    headers = [f"Cookie: sessionid={cookie}", *target["extra"]]
    common = {"connections": args.connections, "threads": args.threads, "headers": headers}
    if args.warmup:
        server.wrk(url, script="get.lua", duration=args.warmup, **common)
    return server.wrk(url, script="get.lua", duration=args.duration, **common)


def combined(results):
    summed = ("requests", "bytes", "s2xx", "s304", "s4xx", "s5xx", "timeouts")
    summed += ("connect_errors", "read_errors", "write_errors", "duration_us")
    row = {key: sum(r[key] for r in results) for key in summed}
    row["req_s"] = row["requests"] / (row["duration_us"] / 1e6) if row["duration_us"] else 0.0
    for key in ("p50_us", "p95_us"):
        row[key] = statistics.median(r[key] for r in results)
    return row


def report(rows, args):
    bare = rows.get("bare", {}).get("req_s")
    print(
        f"\n{args.rounds} × {args.duration} s per URL, {args.connections} connections, "
        f"{args.workers} gunicorn workers; ratio = req/s ÷ the bare view's"
    )
    print(
        f"{'':10} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>7} {'body':>10} "
        f"{'B/resp':>9}  statuses"
    )
    goals = {"seminar": 0.6, "reading": 0.5, "list": 0.2, "list-304": 0.8}
    for name, row in rows.items():
        if row.get("size") is None:
            print(f"{name:10} {row['note']}")
            continue
        ratio = row["req_s"] / bare if bare else float("nan")
        per = row["bytes"] / row["requests"] if row["requests"] else 0
        statuses = ", ".join(
            f"{k[1:]}: {row[k]}" for k in ("s2xx", "s304", "s4xx", "s5xx") if row[k]
        )
        errors = row["connect_errors"] + row["read_errors"] + row["write_errors"]
        if errors or row["timeouts"]:
            statuses += f"; socket errors {errors}, timeouts {row['timeouts']}"
        goal = f"  (goal ≥ {goals[name]})" if name in goals else ""
        print(
            f"{name:10} {row['req_s']:8.1f} {row['p50_us'] / 1000:8.1f} "
            f"{row['p95_us'] / 1000:8.1f} {ratio:7.3f} {size_text(row['size']):>10} "
            f"{per:9.0f}  {statuses} {row['note']}{goal}"
        )


def size_text(size):
    if size >= 2**20:
        return f"{size / 2**20:.2f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} B"


if __name__ == "__main__":
    main()
