"""The list's changes (annotations/listing): the table, and the triggers that write it on
the tables whose rows the list shows."""

from django.db import migrations, models


def install(apps, schema_editor):
    from annotations.listing import versions

    # SQLite gets them after the whole migrate (AnnotationsConfig.ready's post_migrate):
    # made now, from today's code, they would name columns a later migration adds, and
    # SQLite checks every trigger whenever a migration renames a table.
    if schema_editor.connection.vendor != "sqlite":
        versions.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from annotations.listing import versions

    versions.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0013_mentions"),
        ("seminar", "0005_reading_visits"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("reading_id", models.BigIntegerField()),
                ("thread_id", models.BigIntegerField(null=True)),
            ],
            options={
                "indexes": [models.Index(fields=["reading_id", "id"], name="listchange_since")],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
