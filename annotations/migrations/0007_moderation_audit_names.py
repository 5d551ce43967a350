"""The moderation log keeps who acted by name; private notes leave pre-moderation.

Rows written before this migration get their moderator's current name (the best record
there is). Private notes a pre-moderated seminar held for approval are published: no
moderator may read them, so they would have waited forever. That corrects a bug rather
than taking a moderation decision, so it writes no audit row.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def record_moderator_names(apps, schema_editor):
    # The historical model has a plain manager, so this one-time backfill may update.
    ModerationEvent = apps.get_model("annotations", "ModerationEvent")
    events = ModerationEvent.objects.filter(moderator__isnull=False, moderator_username="")
    for event in events.select_related("moderator").iterator():
        user = event.moderator
        ModerationEvent.objects.filter(pk=event.pk).update(
            moderator_name=user.display_name or user.username, moderator_username=user.username
        )


def publish_held_private_notes(apps, schema_editor):
    Annotation = apps.get_model("annotations", "Annotation")
    Annotation.objects.filter(visibility="private", status="pending").update(status="published")


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0006_export_jobs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Schema first, data last: PostgreSQL refuses to alter a table with pending trigger events.
    operations = [
        migrations.AddField(
            model_name="moderationevent",
            name="moderator_name",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name="moderationevent",
            name="moderator_username",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AlterField(
            model_name="moderationevent",
            name="moderator",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(
                condition=models.Q(("status__in", ("hidden", "pending"))),
                fields=["parent"],
                name="annotation_concealed",
            ),
        ),
        migrations.RunPython(record_moderator_names, migrations.RunPython.noop),
        migrations.RunPython(publish_held_private_notes, migrations.RunPython.noop),
    ]
