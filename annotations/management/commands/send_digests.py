"""`manage.py send_digests`: the daily digest emails, from a daily cron (docs/deployment.md).

Queues one digest task per person with notifications waiting for their digest; the worker
sends each as one email and marks its lines sent. Running it twice sends nothing twice: a
digest task that finds nothing waiting sends nothing.
"""

from django.core.management.base import BaseCommand

from annotations.notifications.deliveries import digests_enqueue


class Command(BaseCommand):
    help = "Queue each person's daily digest email (run once a day, e.g. from cron)."

    def handle(self, *args, **options):
        count = digests_enqueue()
        self.stdout.write(f"Queued {count} digest email(s).")
