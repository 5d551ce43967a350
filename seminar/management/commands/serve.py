"""`manage.py serve [addrport]`: the development server and the worker, started and stopped
together (`make run`). Ctrl+C, SIGTERM or either one ending stops both.

Each child runs in its own process group, so that Ctrl+C reaches them once, from here: a
second Ctrl+C would tell the worker to drop the task it is finishing.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand


class Command(BaseCommand):
    help = "Run the development server and the background worker together."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *, addrport, **options):
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        # Our own interpreter and manage.py; addrport is runserver's to check.
        children = [
            subprocess.Popen([*manage, "worker"], start_new_session=True),  # noqa: S603
            subprocess.Popen([*manage, "runserver", addrport], start_new_session=True),  # noqa: S603
        ]
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        # Ctrl+C even when started in the background, where a shell ignores SIGINT.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    os.killpg(child.pid, signal.SIGTERM)  # the server's reloader child too
            for child in children:
                try:
                    child.wait(timeout=15)  # the worker finishes the task it is on
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
