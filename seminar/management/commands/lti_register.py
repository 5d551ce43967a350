"""`manage.py lti_register`: register an LMS (an LTI 1.3 platform) and its deployments, or
update the registration with the same issuer and client id; prints the URLs to give the LMS.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import transaction

from seminar.lti.models import Deployment, Platform


def _url(value: str) -> str:
    try:
        URLValidator(schemes=["https", "http"])(value)
    except ValidationError as error:
        raise CommandError(f"not a URL: {value}") from error
    local = value.startswith(("http://127.0.0.1", "http://localhost"))
    if value.startswith("http://") and not local:
        raise CommandError(f"{value}: an LMS's URLs must be https://")
    return value


class Command(BaseCommand):
    help = "Register (or update) an LTI 1.3 platform and its deployment ids."

    def add_arguments(self, parser):
        parser.add_argument("--issuer", required=True, help="The platform's iss, exactly.")
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--name", default="", help="A name for the admin (default: issuer).")
        parser.add_argument("--login-url", required=True, help="OIDC auth login URL.")
        parser.add_argument("--token-url", default="", help="OAuth2 access token URL.")
        parser.add_argument("--keyset-url", required=True, help="The platform's JWKS URL.")
        parser.add_argument(
            "--deployment", action="append", default=[], help="A deployment id (repeatable)."
        )
        parser.add_argument(
            "--frame-origin",
            action="append",
            default=[],
            help="An origin that frames Seminar, e.g. https://school.instructure.com.",
        )

    @transaction.atomic
    def handle(self, *, issuer, client_id, name, login_url, token_url, keyset_url, **options):
        values = {
            "name": name or issuer,
            "auth_login_url": _url(login_url),
            "auth_token_url": _url(token_url) if token_url else "",
            "keyset_url": _url(keyset_url),
        }
        if options["frame_origin"]:
            values["frame_origins"] = "\n".join(_url(o) for o in options["frame_origin"])
        platform, created = Platform.objects.update_or_create(
            issuer=issuer, client_id=client_id, defaults=values
        )
        for deployment_id in options["deployment"]:
            Deployment.objects.get_or_create(platform=platform, deployment_id=deployment_id)
        deployments = ", ".join(platform.deployments.values_list("deployment_id", flat=True))
        self.stdout.write(
            f"{'Registered' if created else 'Updated'} {platform} "
            f"(client id {client_id}; deployments: {deployments or 'none yet'})."
        )
        site = settings.SITE_URL
        self.stdout.write(
            "Give the LMS these URLs:\n"
            f"  OIDC login (initiation) URL: {site}/lti/login/\n"
            f"  Redirect / target link URL:  {site}/lti/launch/\n"
            f"  Public keyset (JWKS) URL:    {site}/lti/jwks/"
        )
