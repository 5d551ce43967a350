from django.contrib import admin

from .models import Annotation, Vote


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "reading", "credit", "status", "visibility", "created")
    list_filter = ("kind", "status", "visibility")
    search_fields = ("text", "author__username", "author_name")
    raw_id_fields = ("reading", "revision", "anchored_revision", "parent", "thread", "author")
    readonly_fields = ("html", "created", "updated")

    def has_delete_permission(self, request, obj=None):
        # Discussions are evidence: deletion is soft, through moderation.
        return False


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("annotation", "user", "created")
    raw_id_fields = ("annotation", "user")
