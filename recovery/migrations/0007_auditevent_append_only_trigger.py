"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the audit trail, whatever
the client (the application also refuses: AuditEvent.save/delete and its QuerySet). TRUNCATE
(a test database's flush) is a separate statement the row triggers do not see. SQLite has no
such trigger here: a no-op there."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION recovery_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on recovery_auditevent refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS recovery_auditevent_append_only ON recovery_auditevent;
CREATE TRIGGER recovery_auditevent_append_only
    BEFORE UPDATE OR DELETE ON recovery_auditevent
    FOR EACH ROW EXECUTE FUNCTION recovery_auditevent_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS recovery_auditevent_append_only ON recovery_auditevent;
DROP FUNCTION IF EXISTS recovery_auditevent_refuse_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # its "%" is not a placeholder


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("recovery", "0006_fill_auditevent_actor_copy")]

    operations = [migrations.RunPython(create, drop)]
