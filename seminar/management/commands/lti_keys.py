"""`manage.py lti_keys`: the tool's signing keys, published at /lti/jwks/.

With no option, lists them (making the first key if there is none). `--rotate` makes a new
signing key and retires the others, which stay published for the grace period
(seminar.lti.keys.GRACE) so that platforms holding the old key id are not cut off;
`--prune` deletes keys retired longer ago than that.
"""

from django.core.management import BaseCommand

from seminar.lti.keys import GRACE, signing_key, tool_key_rotate, tool_keys_prune
from seminar.lti.models import ToolKey


class Command(BaseCommand):
    help = "List, rotate or prune the LTI tool's signing keys."

    def add_arguments(self, parser):
        parser.add_argument("--rotate", action="store_true", help="New key; retire the others.")
        parser.add_argument("--prune", action="store_true", help="Delete long-retired keys.")

    def handle(self, *, rotate, prune, **options):
        if rotate:
            key = tool_key_rotate()
            self.stdout.write(
                f"New signing key {key.kid}; older keys stay published for {GRACE.days} days."
            )
        if prune:
            self.stdout.write(f"Deleted {tool_keys_prune()} retired key(s).")
        signing_key()  # a site's first key, made on first need
        for key in ToolKey.objects.all():
            state = f"retired {key.retired:%Y-%m-%d %H:%M}" if key.retired else "active"
            self.stdout.write(f"{key.kid}  created {key.created:%Y-%m-%d %H:%M}  {state}")
