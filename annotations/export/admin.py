"""Export jobs in Django's admin: read-only, since the export page makes and runs them.

Registered from `jobs` (the models module of this package) because annotations/admin.py is
not this package's; move the class there when convenient.
"""

from django.contrib import admin

from .jobs import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("id", "seminar", "status", "progress", "requested_by", "created", "finished")
    list_filter = ("status",)
    raw_id_fields = ("seminar", "requested_by")
    readonly_fields = ("options", "status", "progress", "file_path", "error", "created", "finished")
