"""The standard commission plan from the partner program (seed §4.2) and, on PostgreSQL, a trigger that
makes the ledger append-only in the database itself (SQLite relies on the model layer)."""

from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION parceria_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger lines are append-only: % refused on commissions_ledgerline', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER commissions_ledgerline_append_only
    BEFORE UPDATE OR DELETE ON commissions_ledgerline
    FOR EACH ROW EXECUTE FUNCTION parceria_ledger_append_only();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS commissions_ledgerline_append_only ON commissions_ledgerline;
DROP FUNCTION IF EXISTS parceria_ledger_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


def create_plan(apps, schema_editor):
    CommissionPlan = apps.get_model("commissions", "CommissionPlan")
    CommissionPlan.objects.get_or_create(
        name="Standard",
        version=1,
        defaults={
            "status": "active",
            "effective_from": None,
            "effective_to": None,
            "referral_rates": {"certified": "0.20", "preferred": "0.25", "strategic": "0.30"},
            "entry_rate": "0.20",
            "max_months": None,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("commissions", "0001_initial")]

    operations = [
        migrations.RunPython(create_plan, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
