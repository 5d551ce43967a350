from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Annotations"

    def ready(self):
        # Models that live with their capability: the email models
        # (annotations/notifications/models.py) and the list version (annotations/listing);
        # Django imports only annotations.models on its own.
        from annotations.listing import models as listing_models  # noqa: F401
        from annotations.listing.versions import install_after_migrate
        from annotations.notifications import models  # noqa: F401
        from annotations.search import index  # noqa: F401 (its triggers, again after migrate)

        # The list version's triggers, made again after every migrate: SQLite drops a
        # table's triggers when a migration rebuilds the table.
        post_migrate.connect(install_after_migrate, sender=self)
