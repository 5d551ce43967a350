"""python manage.py import_reading --seminar SLUG FILE...: the web form's import, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotations.revisions.readings import read_upload, reading_import
from seminar.models import Membership, ReadingStatus, Role, Seminar
from seminar.services import ServiceError


class Command(BaseCommand):
    help = (
        "Import readings (.txt, .md, .html in any common encoding; .pdf, .docx, .epub) into a"
        " seminar, with their reader comments. There is no preview: check them on the site."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--seminar", required=True, help="The seminar's slug.")
        parser.add_argument("--title", default="", help="Title (only with one file).")
        parser.add_argument(
            "--publish", action="store_true", help="Publish at once (default: draft)."
        )

    def handle(self, *args, files, seminar, title, publish, **options):
        target = Seminar.objects.filter(slug=seminar).first()
        if target is None:
            raise CommandError(f"No seminar has the slug “{seminar}”.")
        if title and len(files) > 1:
            raise CommandError("--title works with one file only.")
        creator_membership = (
            Membership.objects.filter(seminar=target, role=Role.INSTRUCTOR)
            .select_related("user")
            .first()
        )
        creator = creator_membership.user if creator_membership else None
        status = ReadingStatus.PUBLISHED if publish else ReadingStatus.DRAFT
        # All files or none: a bad file in the list leaves the seminar unchanged.
        try:
            with transaction.atomic():
                for path in files:
                    try:
                        data = path.read_bytes()
                    except OSError as exc:
                        raise CommandError(f"{path}: cannot read it ({exc.strerror}).") from exc
                    try:
                        imported = read_upload(data=data, filename=path.name)
                        parsed = imported.parsed
                        reading = reading_import(
                            seminar=target,
                            creator=creator,
                            parsed=parsed,
                            title=title,
                            status=status,
                        )
                    except ServiceError as exc:
                        raise CommandError(f"{path}: {exc}") from exc
                    comments = len(parsed.comments)
                    pages = f"{imported.pages} pages, " if imported.pages else ""
                    self.stdout.write(
                        f"Imported “{reading.title}” ({reading.get_absolute_url()}), "
                        f"{imported.kind}, {pages}{parsed.rendered.paragraphs} paragraphs, "
                        f"{comments} reader comments."
                    )
                    for note in imported.notes:
                        self.stdout.write(f"  {note}")
        except CommandError:
            self.stderr.write("Nothing was imported.")
            raise
