"""python manage.py prune_exports: delete background archives kept past their time.

The same pruning runs whenever an export job starts; run this from cron on a site where
jobs are rare, or with --days to clear space now.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from annotations.export.jobs import export_jobs_prune, export_root, retention


class Command(BaseCommand):
    help = (
        "Delete export jobs and their archive files older than EXPORT_RETENTION_DAYS "
        "(default 7), and stray archive files under EXPORT_ROOT as old."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=float,
            help="Delete what is older than this many days instead of the setting's.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be deleted; delete nothing."
        )

    def handle(self, *args, days, dry_run, **options):
        if days is not None and days < 0:
            raise CommandError("--days cannot be negative.")
        older_than = timedelta(days=days) if days is not None else retention()
        if older_than is None:
            self.stdout.write("EXPORT_RETENTION_DAYS is None: archives are kept for ever.")
            return
        pruned = export_jobs_prune(older_than=older_than, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        megabytes = pruned.bytes / 2**20
        self.stdout.write(
            f"{verb} {pruned.jobs} export job{'s' if pruned.jobs != 1 else ''} and "
            f"{pruned.files} file{'s' if pruned.files != 1 else ''} ({megabytes:.1f} MB) "
            f"older than {_days(older_than)} from {export_root()}."
        )


def _days(delta):
    days = delta.total_seconds() / 86400
    return f"{days:g} day{'s' if days != 1 else ''}"
