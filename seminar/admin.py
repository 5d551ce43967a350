from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from seminar.lti.models import (
    Deployment,
    LtiContext,
    LtiIdentity,
    LtiLaunchState,
    LtiResourceLink,
    Platform,
    ToolKey,
)
from seminar.models import (
    AccessChange,
    ApiToken,
    Group,
    Membership,
    Reading,
    ReadingRevision,
    ReadingVisit,
    Seminar,
    ThrottleWindow,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Seminar", {"fields": ("display_name",)}),)
    list_display = ("username", "display_name", "email", "is_staff", "is_active")
    search_fields = ("username", "display_name", "email")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Seminar)
class SeminarAdmin(admin.ModelAdmin):
    list_display = ("title", "term", "slug", "join_code", "created")
    search_fields = ("title", "slug", "join_code")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "seminar", "role", "pseudonym", "joined")
    list_filter = ("role",)
    raw_id_fields = ("user", "seminar")
    readonly_fields = ("pseudonym",)


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ("title", "seminar", "status", "position", "date", "due")
    list_filter = ("status",)
    search_fields = ("title", "byline")
    raw_id_fields = ("seminar", "current_revision", "created_by")


@admin.register(ReadingVisit)
class ReadingVisitAdmin(admin.ModelAdmin):
    list_display = ("user", "reading", "seen")
    raw_id_fields = ("user", "reading")


@admin.register(ReadingRevision)
class ReadingRevisionAdmin(admin.ModelAdmin):
    """Revisions are immutable: the admin shows them and never changes them."""

    list_display = ("reading", "number", "format", "created_by", "created")
    readonly_fields = [f.name for f in ReadingRevision._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their owners; the admin can see and revoke, never read a key."""

    list_display = ("name", "user", "prefix", "created", "last_used", "revoked")
    readonly_fields = ("user", "name", "prefix", "key_hash", "created", "last_used")
    search_fields = ("name", "user__username", "prefix")

    def has_add_permission(self, request):
        return False


@admin.register(ThrottleWindow)
class ThrottleWindowAdmin(admin.ModelAdmin):
    """The throttles' counts (seminar.throttling), keyed by limit and a hash of who counted:
    deleting a row lets that identity try again at once."""

    list_display = ("key", "count", "ends")
    readonly_fields = ("key", "count", "ends")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessChange)
class AccessChangeAdmin(admin.ModelAdmin):
    """Changes to who sees what, read-only: the record is append-only."""

    list_display = ("created", "seminar", "reading", "actor_name", "setting", "before", "after")
    list_filter = ("setting",)
    readonly_fields = [f.name for f in AccessChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "seminar", "created")
    search_fields = ("name",)


# --- LTI 1.3 (seminar/lti): platforms are registered here or by `manage.py lti_register`.


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "issuer", "client_id", "created")
    search_fields = ("name", "issuer", "client_id")
    inlines = [DeploymentInline]


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    """The tool's keys: made and rotated by `manage.py lti_keys`, never typed in."""

    list_display = ("kid", "created", "retired")
    fields = ("kid", "public_jwk", "created", "retired")
    readonly_fields = ("kid", "public_jwk", "created")

    def has_add_permission(self, request):
        return False


@admin.register(LtiIdentity)
class LtiIdentityAdmin(admin.ModelAdmin):
    list_display = ("sub", "platform", "user", "created")
    search_fields = ("sub", "user__username", "user__email")
    raw_id_fields = ("user",)


@admin.register(LtiContext)
class LtiContextAdmin(admin.ModelAdmin):
    list_display = ("title", "context_id", "platform", "seminar")
    search_fields = ("title", "context_id")
    raw_id_fields = ("seminar",)


@admin.register(LtiResourceLink)
class LtiResourceLinkAdmin(admin.ModelAdmin):
    list_display = ("title", "resource_link_id", "context", "reading", "line_item_url")
    raw_id_fields = ("reading",)


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ("deployment_id", "platform")
    list_filter = ("platform",)


@admin.register(LtiLaunchState)
class LtiLaunchStateAdmin(admin.ModelAdmin):
    """One-time login states, read-only: made by /lti/login/, consumed by /lti/launch/."""

    list_display = ("state", "platform", "created", "used")
    readonly_fields = [f.name for f in LtiLaunchState._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
