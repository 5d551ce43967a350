"""The real thing: a web server and a worker as separate processes over one database.

Everything else runs tasks at once (tests/conftest.py). Here, as in production, an export
asked for through the web is a row in the task table until `manage.py worker` runs it: the
web process can be stopped in between and nothing is lost; a worker that died mid-export
leaves nothing "running" once the next worker starts; a stopped worker finishes its task.
The processes share a database of their own (a file, or a fresh PostgreSQL database when
the suite runs on PostgreSQL), never the test database.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def maintenance(settings, sql):
    """Run SQL on the server's maintenance database, on a connection of its own: the test
    database's connection must stay out of it, or the suite cannot drop that database."""
    import psycopg

    with psycopg.connect(
        dbname="postgres",
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as server:
        server.execute(sql)


@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    """env for subprocesses sharing one fresh, migrated database holding the demo seminar."""
    tmp_path = tmp_path_factory.mktemp("worker")
    created = None
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        created = f"seminar_worker_{uuid.uuid4().hex[:8]}"
        maintenance(settings, f'CREATE DATABASE "{created}"')
        user, host, port = settings["USER"], settings["HOST"], settings["PORT"] or 5432
        url = f"postgres://{user}@{host}:{port}/{created}"
    else:
        url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "EXPORT_ROOT": str(tmp_path / "exports"),
        "DEBUG": "1",
        "CONN_MAX_AGE": "0",
    }
    env.pop("TASKS_BACKEND", None)
    for command in (["migrate", "-v0"], ["demo"]):
        subprocess.run([*MANAGE, *command], env=env, check=True, capture_output=True, timeout=180)
    yield env
    if created:
        maintenance(settings, f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def django(env, code):
    """Run Python in a fresh `manage.py shell` on that database; its last line, parsed."""
    done = subprocess.run(
        [*MANAGE, "shell", "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def job(env, job_id):
    return django(
        env,
        "import json; from annotations.models import ExportJob;"
        f"j = ExportJob.objects.get(pk={job_id});"
        "print(json.dumps({'status': j.status, 'error': j.error, 'file': j.file_path}))",
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def web_server(env):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)  # noqa: S310
            return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("gunicorn did not start")


def test_an_export_asked_for_on_the_web_survives_the_web_server_and_the_worker_builds_it(
    processes,
):
    env = processes
    ids = django(
        env,
        "import json; from seminar.models import Seminar, User;"
        "from seminar.tokens import token_create;"
        "_, key = token_create(user=User.objects.get(username='instructor'), name='test');"
        "print(json.dumps([Seminar.objects.get().pk, key]))",
    )
    seminar_id, key = ids
    server, port = web_server(env)
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/seminars/{seminar_id}/exports",
            data=b"{}",
            method="POST",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (http://)
            assert response.status == 202
            job_id = json.load(response)["id"]
    finally:
        server.send_signal(signal.SIGTERM)  # a deploy: the web process goes away
        server.wait(timeout=30)
    assert job(env, job_id)["status"] == "queued"  # nothing ran in the web process

    subprocess.run([*MANAGE, "worker", "--batch"], env=env, check=True, timeout=180)

    done = job(env, job_id)
    assert done["status"] == "done" and Path(done["file"]).stat().st_size > 1000


def test_a_worker_that_died_mid_export_leaves_it_failed_and_a_retry_builds_it(processes):
    env = processes
    dead = subprocess.Popen(["sleep", "60"])
    dead.kill()
    dead.wait()
    # What a worker killed with SIGKILL leaves: its task claimed, the job half done.
    job_id = django(
        env,
        "from django.db import transaction;"
        "from annotations.export.jobs import export_job_start;"
        "from annotations.export.snapshot import Options;"
        "from annotations.models import ExportJob;"
        "from django_tasks_db.models import DBTaskResult;"
        "from seminar.models import Seminar, User;"
        "from seminar.worker import worker_id;"
        "job = export_job_start(seminar=Seminar.objects.get(),"
        " user=User.objects.get(username='instructor'), options=Options());"
        "result = DBTaskResult.objects.order_by('-enqueued_at').first();"
        f"result.claim(worker_id(pid={dead.pid}));"
        "ExportJob.objects.filter(pk=job.pk).update(status='running', progress=40);"
        "print(job.pk)",
    )
    assert job(env, job_id)["status"] == "running"

    out = subprocess.run(
        [*MANAGE, "worker", "--batch"], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert "Marked 1 task(s) of a dead worker as failed." in out
    failed = job(env, job_id)
    assert failed["status"] == "failed" and "WorkerLost" in failed["error"]
    assert "Retry it" in failed["error"]

    django(
        env,
        "from annotations.export.jobs import export_job_retry;"
        "from annotations.models import ExportJob;"
        f"export_job_retry(job=ExportJob.objects.get(pk={job_id})); print(1)",
    )
    subprocess.run([*MANAGE, "worker", "--batch"], env=env, check=True, timeout=180)
    assert job(env, job_id)["status"] == "done"


def children_of(pid):
    """{pid: command line} of a process's descendants (Linux /proc)."""
    found, parents = {}, {pid}
    for _ in range(3):  # serve → runserver → its reloader child
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, NotADirectoryError):
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) in parents:
                found[int(entry.name)] = cmdline
        parents |= set(found)
    return found


def running(pid):
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has stopped; only its parent has not collected it


def test_serve_starts_the_site_and_the_worker_and_ctrl_c_stops_both(processes):
    """What `make run` runs last: `manage.py serve`."""
    port = free_port()
    serve = subprocess.Popen(
        [*MANAGE, "serve", f"127.0.0.1:{port}"],
        env=processes,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the site did not come up")
        children = children_of(serve.pid)
        assert any("manage.py worker" in c for c in children.values()), children
        assert any("manage.py runserver" in c for c in children.values()), children
        serve.send_signal(signal.SIGINT)  # Ctrl+C
        serve.wait(timeout=30)
        for _ in range(50):
            if not any(running(pid) for pid in children):
                break
            time.sleep(0.2)
        assert [c for pid, c in children.items() if running(pid)] == []
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)  # noqa: S310
    finally:
        if serve.poll() is None:
            serve.kill()
