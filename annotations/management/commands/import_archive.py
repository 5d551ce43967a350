"""python manage.py import_archive FILE: a seminar archive restored as a new seminar."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations.export.restore import RestoreError, seminar_restore
from seminar.models import Membership


class Command(BaseCommand):
    help = (
        "Restore a seminar archive (from export_seminar or the export page) as a new seminar. "
        "People are matched by email; others get inactive accounts. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            seminar = seminar_restore(file=file)
        except RestoreError as exc:
            self.stderr.write("Nothing was imported.")
            raise CommandError(f"{file}: {exc}") from exc
        people = Membership.objects.filter(seminar=seminar).count()
        inactive = Membership.objects.filter(seminar=seminar, user__is_active=False).count()
        self.stdout.write(
            f"Restored “{seminar.title}” as {seminar.get_absolute_url()} with "
            f"{seminar.readings.count()} readings and {people} members"
            + (f" ({inactive} with new, inactive accounts)." if inactive else ".")
        )
