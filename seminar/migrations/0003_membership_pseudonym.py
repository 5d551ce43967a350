"""Store each student's pseudonym on the membership, so that it stays the same all term.

The backfill gives every current student the name they were shown until now (computed in
joining order), so nobody's pseudonym changes with this migration.
"""

from django.db import migrations, models


def store_current_names(apps, schema_editor):
    from seminar.pseudonyms import name_students

    Seminar = apps.get_model("seminar", "Seminar")
    Membership = apps.get_model("seminar", "Membership")
    for seminar in Seminar.objects.only("pk", "pseudonym_salt").iterator():
        rows = list(
            Membership.objects.filter(seminar=seminar)
            .order_by("joined", "id")
            .values_list("pk", "user_id", "role", "pseudonym")
        )
        names = name_students(seminar.pseudonym_salt, (row[1:] for row in rows))
        Membership.objects.bulk_update(
            [
                Membership(pk=pk, pseudonym=names[user_id])
                for pk, user_id, _role, stored in rows
                if not stored and user_id in names
            ],
            ["pseudonym"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("seminar", "0002_moderation"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="pseudonym",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                condition=models.Q(("pseudonym", ""), _negated=True),
                fields=("seminar", "pseudonym"),
                name="one_pseudonym_per_seminar",
            ),
        ),
        migrations.RunPython(store_current_names, migrations.RunPython.noop),
    ]
