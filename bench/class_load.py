"""A lecture of 200 students on one reading at once, through gunicorn, with an optional
PostgreSQL restart in the middle; afterwards, every acknowledged write is looked for.

Seeds a lecture (bench/server.py: 200 students, the blog reading with 2,000 annotations in
500 threads), starts gunicorn (3 sync workers, bench.settings) and runs --students simulated
students for --duration seconds: each waits a think time of 2–8 s (uniform) between
requests and picks, like a browser's session would (session cookie, CSRF header):

    read 40%      GET the reading page
    list 30%      GET /api/readings/{id}/annotations
    critique 15%  POST /api/readings/{id}/annotations (a passage, two selectors)
    reply 10%     POST /api/annotations/{id}/replies (to another student's critique)
    helpful 5%    POST /api/annotations/{id}/vote (on another student's critique)

Each request has a 10 s timeout (--timeout) on a fresh connection to 127.0.0.1 (gunicorn's
sync workers close each connection anyway). A write carries a unique marker (cl-<student>-<n>)
in its text and as its client_id; a write that fails (timeout, 5xx, connection refused, 429)
is sent again, the same body, at the student's next turn (at most --retries times), as the
annotator's drafts would. The report: per kind, count, p50/p95 of the answered requests,
timeouts, 5xx, other errors; throughput; and the check: every acknowledged (2xx) critique
and reply is stored exactly once (rows counted by marker), every acknowledged vote exists,
no marker is stored twice.

--restart-postgres-at N runs --restart-command (default: `pg_ctlcluster
--skip-systemctl-redirect 15 main restart`) N seconds in, without touching gunicorn, and the
report says how long after the restart began writes succeeded again. That restarts the
whole server: everything else using it sees its connections dropped.

    .venv/bin/python bench/class_load.py                      # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seminar .venv/bin/python bench/class_load.py
    DATABASE_URL=... .venv/bin/python bench/class_load.py --restart-postgres-at 60

Issue 15's goals: 0 timeouts, 0 5xx, p95 ≤ 1 s, every acknowledged write stored once.
"""

import argparse
import asyncio
import json
import random
import re
import shlex
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import server
from harness import machine

MIX = (("read", 40), ("list", 30), ("critique", 15), ("reply", 10), ("helpful", 5))
WRITES = ("critique", "reply", "helpful")
MARK = re.compile(r"cl-\d+-\d+")
RESTART = "pg_ctlcluster --skip-systemctl-redirect 15 main restart"


@dataclass
class Attempt:
    kind: str
    started: float  # seconds since the load began
    seconds: float
    outcome: str  # "2xx", "3xx", "4xx", "5xx", "timeout", "error"
    status: int = 0
    retry: int = 0


@dataclass
class Write:
    kind: str
    method: str
    path: str
    body: bytes
    marker: str
    target: int | None = None  # the voted-on annotation
    tries: int = 0
    acked: bool = False


@dataclass
class Student:
    number: int
    user_id: int
    cookie: str
    csrf: str
    rng: random.Random
    count: int = 0
    pending: Write | None = None
    writes: list = field(default_factory=list)


class Load:
    def __init__(self, port, lecture, args):
        self.port = port
        self.args = args
        self.reading = lecture["reading"]
        self.reading_path = lecture["reading"].get_absolute_url()
        self.list_path = f"/api/readings/{lecture['reading'].pk}/annotations"
        self.roots = lecture["roots"]
        self.passages = lecture["passages"]
        self.attempts = []
        self.began = None
        self.restart = None

    def now(self):
        return time.monotonic() - self.began

    async def http(self, method, path, student, body=b""):
        """(status, body length) of one request on a fresh connection, within the timeout."""
        headers = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            "Connection: close",
            f"Cookie: sessionid={student.cookie}; csrftoken={student.csrf}",
        ]
        if method == "POST":
            headers += [
                f"X-CSRFToken: {student.csrf}",
                "Content-Type: application/json",
                f"Content-Length: {len(body)}",
            ]
        else:
            headers.append("Accept: text/html,application/json")
        raw = ("\r\n".join(headers) + "\r\n\r\n").encode() + body

        async def exchange():
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                writer.write(raw)
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                status = int(lines[0].split()[1])
                length = None
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                content = await (reader.readexactly(length) if length else reader.read())
                return status, content
            finally:
                writer.close()

        return await asyncio.wait_for(exchange(), timeout=self.args.timeout)

    async def attempt(self, kind, method, path, student, body=b"", retry=0):
        started = self.now()
        try:
            status, content = await self.http(method, path, student, body)
            outcome = f"{status // 100}xx"
        except TimeoutError:
            status, content, outcome = 0, b"", "timeout"
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            status, content, outcome = 0, b"", "error"
        self.attempts.append(Attempt(kind, started, self.now() - started, outcome, status, retry))
        return status, content

    def new_write(self, kind, student):
        student.count += 1
        marker = f"cl-{student.number}-{student.count}"
        rng = student.rng
        others = [pk for pk, author in self.roots if author != student.user_id]
        if kind == "critique":
            spot = rng.choice(self.passages)
            body = {
                "kind": "critique",
                "text": f"Critique {marker}: is the sweet spot claim premature?",
                "tags": ["timing"],
                "visibility": "seminar",
                "client_id": marker,
                "target": server.target(spot),
            }
            return Write(kind, "POST", self.list_path, json.dumps(body).encode(), marker)
        if kind == "reply":
            parent = rng.choice(others)
            body = {"text": f"Reply {marker}: I agree, and the dates say so.", "client_id": marker}
            path = f"/api/annotations/{parent}/replies"
            return Write(kind, "POST", path, json.dumps(body).encode(), marker)
        voted = {w.target for w in student.writes if w.kind == "helpful"}
        target = rng.choice([pk for pk in others if pk not in voted] or others)
        return Write(kind, "POST", f"/api/annotations/{target}/vote", b"", marker, target)

    async def student(self, student, deadline):
        rng = student.rng
        kinds, weights = zip(*MIX, strict=True)
        await asyncio.sleep(rng.uniform(0, self.args.think_max))  # arrivals spread out
        turns = int(self.args.duration / self.args.think_min) + 2  # a bound, whatever happens
        for _ in range(turns):
            if time.monotonic() >= deadline:
                return
            if student.pending is not None:
                write = student.pending
                student.pending = None
                await self.send(write, student)
            else:
                kind = rng.choices(kinds, weights)[0]
                if kind == "read":
                    await self.attempt(kind, "GET", self.reading_path, student)
                elif kind == "list":
                    await self.attempt(kind, "GET", self.list_path, student)
                else:
                    write = self.new_write(kind, student)
                    student.writes.append(write)
                    await self.send(write, student)
            await asyncio.sleep(rng.uniform(self.args.think_min, self.args.think_max))

    async def send(self, write, student):
        retry = write.tries
        write.tries += 1
        status, _ = await self.attempt(
            write.kind, write.method, write.path, student, write.body, retry=retry
        )
        if 200 <= status < 300:
            write.acked = True
        elif (status == 0 or status >= 500 or status == 429) and write.tries <= self.args.retries:
            student.pending = write

    async def restart_database(self, at):
        await asyncio.sleep(at)
        began = self.now()
        process = await asyncio.create_subprocess_exec(
            *shlex.split(self.args.restart_command),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
        except TimeoutError:
            process.kill()
            out = b"(timed out after 120 s)"
        self.restart = {
            "began": began,
            "returned": self.now(),
            "code": process.returncode,
            "output": out.decode(errors="replace").strip(),
        }

    async def run(self, students):
        self.began = time.monotonic()
        deadline = self.began + self.args.duration
        tasks = [asyncio.create_task(self.student(s, deadline)) for s in students]
        if self.args.restart_postgres_at is not None:
            tasks.append(asyncio.create_task(self.restart_database(self.args.restart_postgres_at)))
        # Every student stops starting requests at the deadline; one in flight ends within
        # the timeout. Past that bound, whatever is left is cancelled.
        limit = self.args.duration + self.args.think_max + self.args.timeout + 130
        done, pending = await asyncio.wait(tasks, timeout=limit)
        for task in pending:
            task.cancel()
        for task in done:
            task.result()  # a bug in the client is not a figure
        return len(pending)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=120, help="seconds of load")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--think-min", type=float, default=2.0)
    parser.add_argument("--think-max", type=float, default=8.0)
    parser.add_argument("--timeout", type=float, default=10.0, help="client timeout, seconds")
    parser.add_argument("--retries", type=int, default=2, help="resends of a failed write")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--restart-postgres-at", type=float, metavar="N", help="restart PostgreSQL N s in"
    )
    parser.add_argument(
        "--restart-command", default=RESTART, help=f"how to restart it (default: {RESTART})"
    )
    args = parser.parse_args()
    if args.think_min <= 0 or args.think_max < args.think_min:
        parser.error("think times: 0 < --think-min <= --think-max")

    print(f"load average at start: {server.load()}")
    connection, url = server.setup("class")
    try:
        if args.restart_postgres_at is not None and connection.vendor != "postgresql":
            raise SystemExit("--restart-postgres-at needs DATABASE_URL=postgres://…")
        started = time.perf_counter()
        lecture = server.seed_class(students=args.students)
        from django.middleware.csrf import _get_new_csrf_string

        rng = random.Random(args.seed)
        students = [
            Student(
                number=n,
                user_id=user.pk,
                cookie=server.session_cookie(user),
                csrf=_get_new_csrf_string(),
                rng=random.Random(rng.random()),
            )
            for n, user in enumerate(lecture["students"])
        ]
        server.collect_static()
        print(
            f"{connection.vendor}; {machine()}; seeded {lecture['annotations']:,} annotations, "
            f"{args.students} students in {time.perf_counter() - started:.1f} s"
        )
        connection.close()
        with server.Gunicorn(url, workers=args.workers) as gunicorn:
            load = Load(gunicorn.port, lecture, args)
            print(
                f"{args.students} students, think {args.think_min:g}–{args.think_max:g} s, "
                f"{args.duration} s, timeout {args.timeout:g} s, {args.workers} workers …",
                flush=True,
            )
            cancelled = asyncio.run(load.run(students))
            tracebacks, worker_timeouts = gunicorn.errors()
            exceptions = gunicorn.exceptions()
        connection.close()  # a restart may have dropped it
        report(load, students, args)
        if cancelled:
            print(f"{cancelled} students were still running at the bound and were cancelled")
        print(f"gunicorn log: {tracebacks} tracebacks, {worker_timeouts} worker timeouts")
        for n, line in exceptions:
            print(f"  {n} × {line}")
        check(load, students, lecture)
        if load.restart:
            restart_report(load)
    finally:
        server.teardown(connection)
        print(f"load average at end: {server.load()}")


def report(load, students, args):
    attempts = load.attempts
    print(
        f"\n{'':9} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'timeouts':>8} {'5xx':>5} "
        f"{'4xx':>5} {'errors':>6} {'retries':>7}"
    )
    by_kind = defaultdict(list)
    for a in attempts:
        by_kind[a.kind].append(a)
    for kind, _ in (*MIX, ("all", 0)):
        rows = attempts if kind == "all" else by_kind.get(kind, [])
        if not rows:
            continue
        answered = [a.seconds * 1000 for a in rows if a.outcome not in ("timeout", "error")]
        outcomes = Counter(a.outcome for a in rows)
        p50 = f"{server.percentile(answered, 50):8.0f}" if answered else f"{'—':>8}"
        p95 = f"{server.percentile(answered, 95):8.0f}" if answered else f"{'—':>8}"
        print(
            f"{kind:9} {len(rows):6} {p50} {p95} {outcomes['timeout']:8} {outcomes['5xx']:5} "
            f"{outcomes['4xx']:5} {outcomes['error']:6} {sum(1 for a in rows if a.retry):7}"
        )
    timeouts_as = [
        (args.timeout * 1000 if a.outcome == "timeout" else a.seconds * 1000) for a in attempts
    ]
    answered = sum(1 for a in attempts if a.outcome not in ("timeout", "error"))
    if attempts:
        print(
            f"throughput {answered / args.duration:.1f} answered req/s "
            f"({len(attempts) / args.duration:.1f} sent); p95 of all with a timeout counted as "
            f"{args.timeout:g} s: {server.percentile(timeouts_as, 95):.0f} ms "
            "(goal: 0 timeouts, 0 5xx, p95 ≤ 1,000 ms)"
        )
    statuses = Counter(a.status for a in attempts if a.outcome in ("4xx", "5xx"))
    if statuses:
        print(
            "statuses of the refused: "
            + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
        )


def check(load, students, lecture):
    """Each acknowledged write stored exactly once; nothing stored twice."""
    from annotations.models import Annotation, Vote

    texts = Annotation.objects.filter(reading=load.reading, text__contains="cl-").values_list(
        "kind", "text"
    )
    stored = {"critique": Counter(), "reply": Counter()}
    for kind, text in texts:
        for marker in MARK.findall(text):
            stored["reply" if kind == "reply" else "critique"][marker] += 1
    writes = [w for s in students for w in s.writes]
    print("\nEvery acknowledged write stored exactly once?")
    failed = False
    for kind in ("critique", "reply"):
        mine = [w for w in writes if w.kind == kind]
        acked = [w for w in mine if w.acked]
        missing = sum(1 for w in acked if stored[kind][w.marker] == 0)
        twice = sum(1 for n in stored[kind].values() if n > 1)
        unacked_stored = sum(1 for w in mine if not w.acked and stored[kind][w.marker])
        failed |= bool(missing or twice)
        print(
            f"  {kind}: {len(acked)} acknowledged of {len(mine)} sent, "
            f"{sum(stored[kind].values())} stored; {missing} missing, {twice} stored twice, "
            f"{unacked_stored} stored though never acknowledged (timed out or failed)"
        )
    votes = [w for w in writes if w.kind == "helpful"]
    acked = [w for w in votes if w.acked]
    user_of = {id(w): s.user_id for s in students for w in s.writes}
    found = Counter(
        Vote.objects.filter(annotation__reading=load.reading).values_list(
            "annotation_id", "user_id"
        )
    )
    missing = sum(1 for w in acked if not found[(w.target, user_of[id(w)])])
    twice = sum(1 for n in found.values() if n > 1)
    failed |= bool(missing or twice)
    print(
        f"  helpful: {len(acked)} acknowledged of {len(votes)} sent; {missing} missing, "
        f"{twice} (post, student) pairs stored twice"
    )
    print("  result: " + ("FAILED" if failed else "yes, none lost, none duplicated"))


def restart_report(load):
    r = load.restart
    began = r["began"]
    print(
        f"\nPostgreSQL restart at {began:.1f} s (`{load.args.restart_command}`, exit "
        f"{r['code']}, returned after {r['returned'] - began:.1f} s)"
    )
    if r["code"]:
        print(f"  its output: {r['output'][:500]}")
    for label, kinds in (("writes", WRITES), ("requests of any kind", None)):
        after = sorted(
            (a for a in load.attempts if a.started >= began and (kinds is None or a.kind in kinds)),
            key=lambda a: a.started,
        )
        failures = [a for a in after if a.outcome in ("5xx", "timeout", "error")]
        outcomes = ", ".join(f"{k}: {n}" for k, n in Counter(a.outcome for a in failures).items())
        print(
            f"  {label} sent after it began: {len(after)}, failed: {len(failures)}"
            + (f" ({outcomes})" if outcomes else "")
        )
        # Recovered: the first success that started after the last failure (or, if none
        # failed, after the restart command returned).
        since = max((a.started for a in failures), default=r["returned"])
        ok = [a for a in after if a.outcome == "2xx" and a.started >= since]
        if ok:
            first = ok[0]
            print(
                f"    {label} succeed again {first.started + first.seconds - began:.1f} s "
                "after the restart began"
            )
        else:
            print(f"    no {label} succeeded after the last failure: NOT recovered")


if __name__ == "__main__":
    main()
