"""The project's URLs plus two bare views: what Django itself costs, behind the same stack.

The benchmarks divide the app's figures by these views' figures from the same run, on the
same server, so that the ratio says how much the app adds to Django (the machine's speed and
load cancel out). Both views sit behind every middleware of config.settings (sessions,
CSRF, authentication, messages, CSP, WhiteNoise, axes), and neither does anything else:

- `GET /bench/bare/`: a logged-in user (session cookie, as the reading page); one query
  (the user's memberships, counted); a tiny template rendered with Django's engine but
  without the project's context processors, which are the app's cost, not Django's.
- `POST /bench/bare-write/`: a logged-in user (session cookie; CSRF-exempt, as the API's
  token requests are); the JSON body's `text` inserted as one row of `bench_write`, a table
  that `create_bench_table` makes in the benchmark's throwaway database, in a transaction;
  201 with the row's id and text.

Used through bench/settings.py (`DJANGO_SETTINGS_MODULE=bench.settings`).
"""

import json

from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import handler500  # noqa: F401 (the project's error pages, here too)
from config.urls import urlpatterns as project_urlpatterns
from seminar.models import Membership

TABLE = "bench_write"
TINY = engines["django"].from_string(
    "<!doctype html><title>Bare</title><p>Hello {{ user.username }}: {{ count }} seminars.</p>"
)


def create_bench_table(conn=connection):
    """The bare write view's table, in the benchmark's own database."""
    key = (
        "id BIGSERIAL PRIMARY KEY"
        if conn.vendor == "postgresql"
        else "id INTEGER PRIMARY KEY AUTOINCREMENT"
    )
    with conn.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} ({key}, user_id BIGINT NOT NULL, "  # noqa: S608
            "text TEXT NOT NULL, created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )


def bare(request):
    if not request.user.is_authenticated:
        return HttpResponse("Log in.", status=401)
    count = Membership.objects.filter(user=request.user).count()
    return HttpResponse(TINY.render({"user": request.user, "count": count}))


@csrf_exempt
def bare_write(request):
    if request.method != "POST":
        return HttpResponse(status=405)
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Log in."}, status=401)
    try:
        text = str(json.loads(request.body)["text"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "Send {text}."}, status=400)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (user_id, text) VALUES (%s, %s) RETURNING id",  # noqa: S608
            [request.user.pk, text],
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id, "text": text}, status=201)


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/bare-write/", bare_write, name="bench_bare_write"),
    *project_urlpatterns,
]
