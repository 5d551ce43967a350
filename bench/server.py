"""What the server benchmarks share: a throwaway database, a class to seed it with, sessions,
a real gunicorn over it, and wrk.

- `setup()` makes a database of its own (never the test suite's `test_seminar`, which other
  work may be using at the same time): on PostgreSQL when DATABASE_URL names a server
  (`test_bench_<name>_<pid>`, created and dropped here), else a temporary SQLite file. Django
  runs with bench.settings (the project's settings plus bench.baseline_urls).
- `seed_class()`: a seminar of 200 students with the blog reading and 2,000 annotations in
  500 threads (500 passage critiques, 1,500 replies, 500 helpful marks), the shape of
  bench/reading_page.py.
- `Gunicorn`: `gunicorn config.wsgi`, 3 sync workers on 127.0.0.1 and a free port, static
  files collected into a temporary folder with the project's manifest storage (as
  docs/deployment.md does), no access log; stopped (its process group) on exit.
- `wrk()`: runs wrk with a Lua script of bench/wrk/ and returns its summary as a dict.

Traffic goes to 127.0.0.1 only. Every wait here is bounded.
"""

import collections
import contextlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WRK_DIR = BENCH / "wrk"
GUNICORN = Path(sys.executable).with_name("gunicorn")
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout)\b")
BENCH_KEY = "bench-only-secret-key-not-for-any-deployment-0123456789abcdef"


def load():
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def setup(name):
    """Django on a database of the benchmark's own, migrated. Returns (connection, url),
    `url` being the DATABASE_URL a server process uses to reach the same database."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # The servers' key, here too: sessions made here carry an auth hash keyed by it.
    os.environ["SECRET_KEY"] = BENCH_KEY
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    given = os.environ.get("DATABASE_URL", "").strip()
    if not given.startswith(("postgres://", "postgresql://")):
        given = ""
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'main.sqlite3'}"
    os.environ["BENCH_STATIC_ROOT"] = str(folder / "static")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"test_bench_{name}_{os.getpid()}"
    else:
        connection.settings_dict["TEST"]["NAME"] = str(folder / "bench.sqlite3")
    with contextlib.redirect_stdout(io.StringIO()):  # "Cache table … already exists."
        test_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
    if connection.vendor == "postgresql":
        url = urlsplit(given)._replace(path="/" + test_name).geturl()
    else:
        url = f"sqlite:///{test_name}"
    connection.bench_folder = folder
    from bench.baseline_urls import create_bench_table

    create_bench_table(connection)
    return connection, url


def teardown(connection):
    connection.close()
    with contextlib.suppress(Exception):
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    shutil.rmtree(getattr(connection, "bench_folder", ""), ignore_errors=True)


def seed_class(*, students=200, threads=500, replies=3, votes=True):
    """A lecture: one seminar, `students` students, the blog reading with `threads` passage
    critiques, `replies` replies each and a helpful mark on each critique. Returns a dict."""
    from harness import BLOG, READINGS

    from annotations.models import Annotation, Vote
    from annotations.revisions.readings import parse_upload, reading_import
    from seminar.models import Membership, ReadingStatus, Role, User
    from seminar.services import seminar_create

    teacher = User.objects.create_user("teacher", password="x", display_name="Dr. Teacher")
    # No password hashing for 200 accounts: they log in through sessions made below.
    people = User.objects.bulk_create(
        User(username=f"s{i}", display_name=f"Student {i}", email=f"s{i}@example.org")
        for i in range(students)
    )
    seminar = seminar_create(title="Lecture", creator=teacher)
    Membership.objects.bulk_create(
        Membership(seminar=seminar, user=s, role=Role.STUDENT) for s in people
    )
    parsed = parse_upload(data=(READINGS / BLOG).read_bytes(), filename=BLOG)
    reading = reading_import(
        seminar=seminar, creator=teacher, parsed=parsed, status=ReadingStatus.PUBLISHED
    )
    revision = reading.current_revision
    spots = passages(revision.text, threads)
    roots = Annotation.objects.bulk_create(
        Annotation(
            reading=reading,
            revision=revision,
            anchored_revision=revision,
            author=people[i % len(people)],
            kind="critique",
            text=f"Critique {i}: is the timing claim premature?",
            html=f"<p>Critique {i}: is the timing claim premature?</p>",
            quote_exact=spot["exact"],
            quote_prefix=spot["prefix"],
            quote_suffix=spot["suffix"],
            start=spot["start"],
            end=spot["end"],
            anchor_status="anchored",
            tags=["timing"] if i % 3 else [],
        )
        for i, spot in enumerate(spots)
    )
    Annotation.objects.bulk_create(
        Annotation(
            reading=reading,
            revision=revision,
            parent=root,
            thread=root,
            kind="reply",
            author=people[(j + k + 1) % len(people)],
            text="A reply",
            html="<p>A reply</p>",
        )
        for j, root in enumerate(roots)
        for k in range(replies)
    )
    if votes:
        Vote.objects.bulk_create(
            Vote(annotation=root, user=people[(k + 5) % len(people)])
            for k, root in enumerate(roots)
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would have done after such a load
    return {
        "teacher": teacher,
        "students": people,
        "seminar": seminar,
        "reading": reading,
        "roots": [(root.pk, root.author_id) for root in roots],
        "passages": spots,
        "annotations": Annotation.objects.filter(reading=reading).count(),
    }


def passages(text, count):
    """`count` word-aligned passages spread over `text`, as W3C selector parts."""
    spaces = [i for i, ch in enumerate(text) if ch == " " and i + 31 < len(text)]
    step = max(1, len(spaces) // count)
    found = []
    for n in range(count):
        start = spaces[(n * step) % len(spaces)] + 1
        end = start + 29
        found.append(
            {
                "exact": text[start:end],
                "prefix": text[max(0, start - 32) : start],
                "suffix": text[end : end + 32],
                "start": start,
                "end": end,
            }
        )
    return found


def target(spot):
    """The API's `target` for a passage: both selectors."""
    return {
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": spot["exact"],
                "prefix": spot["prefix"],
                "suffix": spot["suffix"],
            },
            {"type": "TextPositionSelector", "start": spot["start"], "end": spot["end"]},
        ]
    }


def session_cookie(user):
    """A logged-in session for `user`, as a login would store it (no password check)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def collect_static(timeout=300):
    """collectstatic into BENCH_STATIC_ROOT with the project's storage (manifest, hashed
    names, compressed), as a deployment does; seconds taken."""
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings"),
        check=True,
        timeout=timeout,
    )
    return time.perf_counter() - started


class Gunicorn:
    """`gunicorn config.wsgi` on 127.0.0.1 over the benchmark's database, as a context."""

    def __init__(self, database_url, *, workers=3, env=None, ready_timeout=60):
        self.port = free_port()
        self.database_url = database_url
        self.workers = workers
        self.extra_env = env or {}
        self.ready_timeout = ready_timeout
        self.process = None
        self.log = None

    def __enter__(self):
        if not GUNICORN.exists():
            raise SystemExit(f"No {GUNICORN}: make install (gunicorn is in requirements.txt)")
        env = dict(
            os.environ,
            DATABASE_URL=self.database_url,
            DJANGO_SETTINGS_MODULE="bench.settings",
            SECRET_KEY=BENCH_KEY,
            DEBUG="0",
            PYTHONPATH=str(ROOT),
            **self.extra_env,
        )
        env.pop("SEMINAR_PLAIN_STATIC", None)
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
            [
                str(GUNICORN),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one on exit
        )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.tail()}")
            with contextlib.suppress(OSError):
                status, _, _ = get(self.port, "/bench/bare/", timeout=5)
                if status in (200, 401):
                    return
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn not ready in {self.ready_timeout} s:\n{self.tail()}")

    def tail(self, lines=30):
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def errors(self):
        """Tracebacks and worker timeouts in the log (the log has no access lines)."""
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace")
        return text.count("Traceback"), text.count("WORKER TIMEOUT")

    def exceptions(self, top=5):
        """The commonest exception lines of the log's tracebacks, as (count, line)."""
        self.log.flush()
        found = collections.Counter(
            line.strip()[:160]
            for line in Path(self.log.name).read_text(errors="replace").splitlines()
            if EXCEPTION_LINE.match(line)
        )
        return [(n, line) for line, n in found.most_common(top)]

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self.log:
            self.log.close()


def get(port, path, headers=None, *, method="GET", body=None, timeout=30):
    """One request over a fresh connection: (status, headers as a dict, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wrk_binary():
    found = shutil.which("wrk")
    if not found:
        raise SystemExit(
            "wrk is not installed. On Debian/Ubuntu: apt-get install -y wrk "
            "(elsewhere: https://github.com/wg/wrk, `make`, put wrk on PATH)."
        )
    return found


def wrk(url, *, script, duration, connections, threads=2, headers=(), env=None, timeout=10):
    """Run wrk against `url` with bench/wrk/<script>; its summary (a dict: requests,
    duration_us, bytes, errors, p50_us, p95_us, p99_us, s2xx..s5xx) plus req_s."""
    assert url.startswith("http://127.0.0.1:"), "loopback only"
    command = [
        wrk_binary(),
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={timeout}s",
        "-s",
        str(WRK_DIR / script),
    ]
    for header in headers:
        command += ["-H", header]
    command.append(url)
    out = subprocess.run(  # noqa: S603 - the wrk found on PATH, arguments built here
        command,
        env=dict(os.environ, BENCH_WRK_DIR=str(WRK_DIR), **(env or {})),
        capture_output=True,
        text=True,
        timeout=duration + timeout + 60,
        check=False,
    )
    for line in out.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            result = json.loads(line.removeprefix("BENCH-RESULT "))
            seconds = result["duration_us"] / 1e6
            result["req_s"] = result["requests"] / seconds if seconds else 0.0
            return result
    raise RuntimeError(f"wrk printed no result (exit {out.returncode}):\n{out.stdout}{out.stderr}")


def percentile(values, p):
    """The p-th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values):
    return statistics.median(values) if values else float("nan")
