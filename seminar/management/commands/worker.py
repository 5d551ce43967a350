"""`manage.py worker`: run background tasks (exports, email) until stopped.

The database backend's own `db_worker`, named `<host>:<pid>` after reaping what a dead
worker of this host left running (seminar/worker.py). Other options pass through:
`--batch` runs what is queued and exits, `--interval` sets the polling period.
"""

from django.core.management import BaseCommand, call_command

from seminar.worker import reap_lost_tasks, worker_id


class Command(BaseCommand):
    help = "Run the background worker (exports, email notifications)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--reload", action="store_true", help="Restart on code changes.")

    def handle(self, *, batch, interval, reload, verbosity, **options):
        reaped = reap_lost_tasks()
        if reaped:
            self.stdout.write(f"Marked {reaped} task(s) of a dead worker as failed.")
        call_command(
            "db_worker",
            worker_id=worker_id(),
            batch=batch,
            interval=interval,
            reload=reload,
            startup_delay=False,
            queue_name="*",
            verbosity=verbosity,
        )
