"""The database cache's table (settings CACHES): throttles count in it across workers.

`createcachetable` is not part of `migrate`; doing it here means a deployment that migrates
has the table, and it does nothing when the table exists or the cache is not the database's.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("seminar", "0003_membership_pseudonym")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
