from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Annotations"

    def ready(self):
        # The email models live with their capability (annotations/notifications/models.py);
        # Django imports only annotations.models on its own.
        from annotations.notifications import models  # noqa: F401
