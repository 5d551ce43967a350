"""The moderation log stays append-only, with one exception: erasing a person's account
(annotations.privacy) may replace the name and username a row recorded for who acted, and
change nothing else. Every other UPDATE and every DELETE is still refused on PostgreSQL."""

from django.db import migrations

ERASABLE = """
CREATE OR REPLACE FUNCTION annotations_moderationevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.moderator_name = 'A former member' AND NEW.moderator_username = ''
        AND NEW.id = OLD.id AND NEW.seminar_id = OLD.seminar_id
        AND NEW.annotation_id = OLD.annotation_id
        AND NEW.moderator_id IS NOT DISTINCT FROM OLD.moderator_id
        AND NEW.action = OLD.action AND NEW.reason = OLD.reason
        AND NEW.from_status = OLD.from_status AND NEW.to_status = OLD.to_status
        AND NEW.created = OLD.created THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The moderation log is append-only: % refused on row %', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

STRICT = """
CREATE OR REPLACE FUNCTION annotations_moderationevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The moderation log is append-only: % refused on row %', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("annotations", "0008_moderation_log_trigger")]

    operations = [
        migrations.RunPython(run_on_postgresql(ERASABLE), run_on_postgresql(STRICT)),
    ]
