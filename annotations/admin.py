from django.contrib import admin

from annotations.listing.models import ListChange
from annotations.models import (
    Annotation,
    ExportJob,
    Flag,
    Grade,
    GradeRelease,
    GradingPolicy,
    ModerationEvent,
    Notification,
    Score,
    Vote,
)
from annotations.notifications.models import EmailDelivery, NotificationPreference
from annotations.passbackmodels import LmsScore


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "reading", "credit", "status", "visibility", "created")
    list_filter = ("kind", "status", "visibility")
    search_fields = ("text", "author__username", "author_name")
    raw_id_fields = ("reading", "revision", "anchored_revision", "parent", "thread", "author")
    # Moderation state changes only through annotation_moderate, which writes the audit row.
    readonly_fields = (
        "html",
        "status",
        "pinned",
        "locked",
        "moderation_reason",
        "created",
        "updated",
    )

    def has_delete_permission(self, request, obj=None):
        # Discussions are evidence: deletion is soft, through moderation.
        return False


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("annotation", "user", "created")
    raw_id_fields = ("annotation", "user")


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("annotation", "user", "reason", "created", "dismissed")
    list_filter = ("reason",)
    raw_id_fields = ("annotation", "user")


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: it is append-only everywhere, the admin included."""

    list_display = ("created", "seminar", "who", "action", "annotation", "reason")
    list_filter = ("action",)
    list_select_related = ("seminar", "moderator", "annotation__reading", "annotation__author")
    search_fields = ("moderator_name", "moderator_username", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EmailDeliveryInline(admin.TabularInline):
    """The emails a notification earned, as sent (or not): a record, not a form."""

    model = EmailDelivery
    fields = ("cadence", "status", "attempts", "sent", "last_error", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "annotation", "reading", "created", "read")
    list_filter = ("kind",)
    list_select_related = ("user", "annotation", "reading")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user", "annotation", "reading", "actor")
    inlines = [EmailDeliveryInline]


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """Every email a notification earned: sent, waiting for a digest, retrying, failed (with
    the mail server's error) or skipped (with why). Written by the worker only."""

    list_display = ("created", "user", "topic", "cadence", "status", "attempts", "sent")
    list_filter = ("status", "cadence", "topic")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "last_error")
    date_hierarchy = "created"
    readonly_fields = [field.name for field in EmailDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "topic", "cadence", "updated")
    list_filter = ("topic", "cadence")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)


@admin.register(GradingPolicy)
class GradingPolicyAdmin(admin.ModelAdmin):
    list_display = ("seminar", "score_max", "best_n", "late_penalty", "grace_minutes")


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ("annotation", "value", "grader", "updated")
    raw_id_fields = ("annotation", "grader")


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ("reading", "student", "final", "grader", "updated")
    raw_id_fields = ("reading", "student", "grader")


@admin.register(GradeRelease)
class GradeReleaseAdmin(admin.ModelAdmin):
    list_display = ("reading", "released_by", "released")
    raw_id_fields = ("reading", "released_by")


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("id", "seminar", "status", "progress", "requested_by", "created", "finished")
    list_filter = ("status",)
    raw_id_fields = ("seminar", "requested_by")
    readonly_fields = ("options", "status", "progress", "file_path", "error", "created", "finished")


@admin.register(ListChange)
class ListChangeAdmin(admin.ModelAdmin):
    """Written by database triggers (annotations/listing/versions.py); shown, never edited."""

    list_display = ("id", "reading_id", "thread_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LmsScore)
class LmsScoreAdmin(admin.ModelAdmin):
    """What grade passback sent to the LMS (annotations/grading/passback.py): shown, not edited."""

    list_display = ("reading", "student", "score_given", "sent", "attempts", "error")
    list_filter = ("sent",)
    raw_id_fields = ("reading", "student")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
