"""Shared set-up for benchmarks: a throwaway database and the readings to seed it with.

Benchmarks run outside pytest. By default they make a temporary SQLite file; set
DATABASE_URL to measure on PostgreSQL (the database is created and dropped by Django's test
runner machinery, so point it at a server, not at a database you care about).

The readings are the project's own (tests/fixtures/readings); set SEMINAR_CORPUS to a folder of
.txt readings to run the re-anchoring benchmark over those instead.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READINGS = ROOT / "tests" / "fixtures" / "readings"
BLOG = "2014-02-11-lake-chad-class-blog.txt"
ARTICLE = "coups-in-the-sahel-explained.txt"


def corpus() -> Path:
    """The folder SEMINAR_CORPUS names, else the project's readings."""
    folder = os.environ.get("SEMINAR_CORPUS", "").strip()
    return Path(folder).resolve() if folder else READINGS


def django_setup():
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SEMINAR_PLAIN_STATIC", "1")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.db import connection

    if connection.vendor == "postgresql":
        # A name of its own: `test_<NAME>` may be the test suite's, in use at this moment,
        # and autoclobber would drop it.
        connection.settings_dict["TEST"]["NAME"] = f"test_bench_{os.getpid()}"
    # A fresh test database, as the test suite would make.
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return connection


def machine():
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
