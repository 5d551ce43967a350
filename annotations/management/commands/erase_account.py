"""python manage.py erase_account USERNAME: erase a person at their request (see
annotations/privacy). Their threads stay, as "a former member"; this cannot be undone."""

from django.core.management.base import BaseCommand, CommandError

from annotations.privacy.services import account_erase
from seminar.errors import ServiceError
from seminar.models import User


class Command(BaseCommand):
    help = "Erase an account: posts become anonymous tombstones, scores and grades go."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, username, yes, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account has the username “{username}”.")
        if not yes:
            answer = input(f"Erase {user.name} ({username})? This cannot be undone. [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Nothing was erased.")
        try:
            done = account_erase(user=user)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Erased {username}: {done.posts} posts kept as tombstones, "
            f"{done.scores} scores and {done.grades} grades removed."
        )
