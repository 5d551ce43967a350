"""Search (annotations/search): the index table and the triggers that keep it, filled from
what is already written."""

from django.db import migrations


def install(apps, schema_editor):
    from annotations.search import index

    index.install(schema_editor.connection)
    index.rebuild(schema_editor.connection)


def uninstall(apps, schema_editor):
    from annotations.search import index

    index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0014_list_version"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
