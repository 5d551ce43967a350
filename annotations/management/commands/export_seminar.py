"""python manage.py export_seminar SLUG --out FILE: the seminar archive (ZIP), from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from annotations.export import archive
from annotations.export.snapshot import Options, Scope
from seminar.models import Seminar


class Command(BaseCommand):
    help = "Write a seminar's archive (ZIP: every reading in every format, grades, data.json)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The seminar's slug.")
        parser.add_argument("--out", required=True, type=Path, help="The ZIP file to write.")
        parser.add_argument(
            "--include-hidden",
            action="store_true",
            help="Keep hidden, waiting and deleted posts, in full (evidence).",
        )
        parser.add_argument(
            "--pseudonyms", action="store_true", help="Name students by their seminar pseudonym."
        )
        parser.add_argument(
            "--include-private",
            action="store_true",
            help="Keep private notes too: a complete backup, for the site's operators only.",
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="The site's address (https://…), for annotation ids; default: URNs.",
        )

    def handle(self, *args, slug, out, include_hidden, pseudonyms, include_private, base_url, **_):
        seminar = Seminar.objects.filter(slug=slug).first()
        if seminar is None:
            raise CommandError(f"No seminar has the slug “{slug}”.")
        options = Options(
            include_hidden=include_hidden,
            pseudonyms=pseudonyms,
            include_private=include_private,
            base_url=base_url.rstrip("/"),
        )
        partial = out.with_name(out.name + ".part")
        started = timezone.now()
        try:
            with partial.open("wb") as file:
                for chunk in archive.stream(Scope(seminar, options), exported=started):
                    file.write(chunk)
            partial.replace(out)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"{out}: cannot write it ({exc.strerror}).") from exc
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"Wrote {out} ({out.stat().st_size:,} bytes) in {seconds:.1f} s: “{seminar.title}”."
        )
