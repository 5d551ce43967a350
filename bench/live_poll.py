"""What 200 readers polling an unchanged reading cost: GET /api/readings/{id}/changes.

Seeds a lecture (bench/server.py: 200 students, the blog reading with 2,000 annotations),
starts gunicorn (3 sync workers, bench.settings) and has each of --readers students poll
the changes endpoint every --every seconds (as the reading page does, annotations/live:
15 s), with their session cookie and the cursor the list gave them, for --duration
seconds, each reader starting at a random moment of the first interval. It prints:

- the queries one poll runs (measured in this process with Django's test client; issue 16's
  goal: at most 2) and its status (304 expected: nothing changed);
- the polls answered, their statuses and p50/p95 latency;
- the CPU the gunicorn workers spent meanwhile (user + system time of the worker processes,
  from /proc), as a share of one worker's core: issue 16's goal is at most 10%.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seminar .venv/bin/python bench/live_poll.py
    .venv/bin/python bench/live_poll.py --duration 30            # SQLite, shorter
"""

import argparse
import http.client
import os
import random
import threading
import time
from collections import Counter
from pathlib import Path

import server
from harness import machine

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system seconds of a process and its children (gunicorn's workers)."""
    total = 0.0
    for task in [pid, *children(pid)]:
        fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return total


def children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def count_queries(path, cookie):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies["sessionid"] = cookie
    cursor = client.get(path).json()["cursor"]
    for _ in range(3):  # the last of three: a warm worker
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{path}?since={cursor}")
    return len(captured.captured_queries), response.status_code, cursor


def reader(port, path, cookie, every, until, results, lock):
    time.sleep(random.uniform(0, every))  # noqa: S311 - a benchmark's spread, not a secret
    while time.monotonic() < until:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
            status = connection.getresponse().status
        except OSError as error:
            status = type(error).__name__
        finally:
            connection.close()
        with lock:
            results.append((status, time.perf_counter() - started))
        time.sleep(max(0.0, every - (time.perf_counter() - started)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--every", type=float, default=15.0, help="seconds between polls")
    parser.add_argument("--duration", type=int, default=60, help="seconds of polling")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    args = parser.parse_args()
    print(f"load average at start: {server.load()}")
    connection, url = server.setup("livepoll")
    try:
        lecture = server.seed_class(students=max(args.readers, 200))
        readers = lecture["students"][: args.readers]
        cookies = [server.session_cookie(user) for user in readers]
        path = f"/api/readings/{lecture['reading'].pk}/changes"
        queries, status, cursor = count_queries(path, cookies[0])
        connection.close()
        print(f"{connection.vendor}; {machine()}; {lecture['annotations']:,} annotations")
        print(f"one poll of an unchanged reading: {queries} queries, status {status} (goal ≤ 2)")
        results, lock = [], threading.Lock()
        with server.Gunicorn(url, workers=args.workers) as gunicorn:
            polled = f"{path}?since={cursor}"
            server.get(gunicorn.port, polled, {"Cookie": f"sessionid={cookies[0]}"})
            before, started = cpu_seconds(gunicorn.process.pid), time.monotonic()
            until = started + args.duration
            threads = [
                threading.Thread(
                    target=reader,
                    args=(gunicorn.port, polled, c, args.every, until, results, lock),
                    daemon=True,
                )
                for c in cookies
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(args.every + 15)
            spent = cpu_seconds(gunicorn.process.pid) - before
            wall = time.monotonic() - started
        statuses = Counter(status for status, _ in results)
        latencies = sorted(seconds for _, seconds in results)
        share = spent / wall
        print(
            f"{args.readers} readers every {args.every:g} s for {wall:.0f} s: "
            f"{len(results)} polls ({len(results) / wall:.1f}/s), statuses {dict(statuses)}"
        )
        print(
            f"latency p50 {server.percentile(latencies, 50) * 1000:.1f} ms, "
            f"p95 {server.percentile(latencies, 95) * 1000:.1f} ms"
        )
        print(
            f"gunicorn CPU: {spent:.2f} s in {wall:.0f} s = {share:.1%} of one worker's core "
            f"(goal ≤ 10%); per poll {spent / max(1, len(results)) * 1000:.2f} ms"
        )
    finally:
        server.teardown(connection)
        print(f"load average at end: {server.load()}")


if __name__ == "__main__":
    main()
