"""What Seminar keeps about the LMSs that launch it.

A Platform is one LMS registration (issuer + client id), with its Deployments. Our own
signing keys are ToolKeys: the newest active one signs, retired ones stay published in the
JWKS for a grace period so that tokens already signed still verify. An LtiIdentity links a
platform's `sub` to a Seminar account; an LtiContext links an LMS course to a seminar; an
LtiResourceLink links one placement in the course to a reading. An LtiLaunchState is the
one-time state and nonce of one login, consumed by the launch it belongs to.

These models belong to the `seminar` app: seminar/models.py imports this module.
"""

import secrets
import urllib.parse

from django.db import models
from django.utils import timezone


def new_state():
    return secrets.token_urlsafe(32)


def new_nonce():
    return secrets.token_urlsafe(32)


def origin_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


class Platform(models.Model):
    name = models.CharField(max_length=200)
    issuer = models.CharField(max_length=255, help_text="The platform's `iss`, exactly.")
    client_id = models.CharField(max_length=255, help_text="The client id it gave Seminar.")
    auth_login_url = models.URLField(max_length=500, verbose_name="OIDC auth login URL")
    auth_token_url = models.URLField(max_length=500, blank=True, verbose_name="Access token URL")
    keyset_url = models.URLField(max_length=500, verbose_name="Public keyset (JWKS) URL")
    frame_origins = models.TextField(
        blank=True,
        help_text="Origins that may show Seminar in a frame, one a line "
        "(for example https://school.instructure.com). The issuer's origin always may.",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "seminar"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_client")
        ]

    def __str__(self):
        return f"{self.name} ({self.issuer})"

    def allowed_frame_origins(self) -> list[str]:
        origins = [origin_of(self.issuer)]
        origins += [origin_of(line.strip()) for line in self.frame_origins.splitlines()]
        return sorted({o for o in origins if o})


class Deployment(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=255)

    class Meta:
        app_label = "seminar"
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id"], name="lti_deployment_per_platform"
            )
        ]

    def __str__(self):
        return self.deployment_id


class ToolKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired__isnull=True)

    def published(self, *, since):
        """Active keys, and keys retired after `since` (still in their grace period)."""
        return self.filter(models.Q(retired__isnull=True) | models.Q(retired__gt=since))


class ToolKey(models.Model):
    kid = models.CharField(max_length=100, unique=True)
    private_pem = models.TextField()
    public_jwk = models.JSONField()
    created = models.DateTimeField(default=timezone.now)
    retired = models.DateTimeField(null=True, blank=True)

    objects = ToolKeyQuerySet.as_manager()

    class Meta:
        app_label = "seminar"
        ordering = ["-created", "-id"]

    def __str__(self):
        return self.kid


class LtiIdentity(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="identities")
    sub = models.CharField(max_length=255)
    user = models.ForeignKey("seminar.User", on_delete=models.CASCADE, related_name="lti_ids")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "seminar"
        verbose_name_plural = "LTI identities"
        constraints = [
            models.UniqueConstraint(fields=["platform", "sub"], name="lti_identity_per_sub")
        ]

    def __str__(self):
        return f"{self.sub} → {self.user}"


class LtiContext(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="contexts")
    context_id = models.CharField(max_length=255)
    seminar = models.ForeignKey(
        "seminar.Seminar", on_delete=models.CASCADE, related_name="lti_contexts"
    )
    title = models.CharField(max_length=255, blank=True)
    memberships_url = models.URLField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "seminar"
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "context_id"], name="lti_context_per_platform"
            )
        ]

    def __str__(self):
        return self.title or self.context_id


class LtiResourceLink(models.Model):
    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="links")
    resource_link_id = models.CharField(max_length=255)
    reading = models.ForeignKey(
        "seminar.Reading",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lti_links",
    )
    title = models.CharField(max_length=255, blank=True)
    line_item_url = models.URLField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "seminar"
        constraints = [
            models.UniqueConstraint(
                fields=["context", "resource_link_id"], name="lti_link_per_context"
            )
        ]

    def __str__(self):
        return self.title or self.resource_link_id


class LtiLaunchState(models.Model):
    """One login's state and nonce. `used` is set, once, by the launch that consumes it;
    the login's parameters are kept to offer "open in a new tab" when cookies are blocked."""

    state = models.CharField(max_length=64, unique=True, default=new_state)
    nonce = models.CharField(max_length=64, unique=True, default=new_nonce)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    login_params = models.JSONField(default=dict)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    used = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "seminar"

    def __str__(self):
        return self.state[:8]
