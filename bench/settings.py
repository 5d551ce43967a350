"""Settings for the benchmarks' servers: the project's own, with the bench-only URL module.

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/gunicorn config.wsgi ...

Nothing of the application changes: the same middleware, templates, cache and database
settings. Three things differ, each set by the bench scripts through the environment:

- ROOT_URLCONF is bench.baseline_urls: the project's URLs plus bare baseline views that the
  benchmarks divide by (`/bench/bare/`, `/bench/bare-write/`).
- BENCH_STATIC_ROOT: where the script ran collectstatic (into a temporary folder), so the
  pages use the real compressed manifest storage as production does.
- BENCH_API_WRITE_LIMIT=<count>: the API's write throttle per user and minute (default: the
  project's). bench/writes.py raises it so that 50 connections measure writing, not 429s;
  the throttle still runs and still costs what it costs.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import SEMINAR_THROTTLES

ROOT_URLCONF = "bench.baseline_urls"

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]

if os.environ.get("BENCH_API_WRITE_LIMIT"):
    SEMINAR_THROTTLES = {
        **SEMINAR_THROTTLES,
        "api-write": (int(os.environ["BENCH_API_WRITE_LIMIT"]), 60),
    }
