"""On PostgreSQL, the database itself refuses to change or delete a moderation log row.

The model and its manager refuse already; this also stops raw SQL, a shell, or a cascade
added by mistake later. TRUNCATE is left alone: it is how Django's test runner empties
tables, and it needs the table owner's rights, which the app never uses at run time.
SQLite has no such guard (it is the development database).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION annotations_moderationevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The moderation log is append-only: % refused on row %', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER annotations_moderationevent_append_only
    BEFORE UPDATE OR DELETE ON annotations_moderationevent
    FOR EACH ROW EXECUTE FUNCTION annotations_moderationevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS annotations_moderationevent_append_only ON annotations_moderationevent;
DROP FUNCTION IF EXISTS annotations_moderationevent_append_only();
"""


def run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("annotations", "0007_moderation_audit_names")]

    operations = [migrations.RunPython(run_on_postgresql(CREATE), run_on_postgresql(DROP))]
