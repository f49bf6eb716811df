"""On PostgreSQL, Django adds a second `…_like` index (varchar_pattern_ops) to every text primary key,
unique column and text foreign key, for LIKE 'prefix%' queries. Nothing queries event ids, invoice ids
or ledger dedupe keys that way, and on the intake's hot tables each extra index costs CPU on every
insert (bench/ingest.py measured ~14 % of PostgreSQL's CPU for the redundant indexes). Equality
look-ups keep using the regular indexes."""

from django.db import migrations

HOT_TABLES = (
    "customers_event", "customers_invoice", "customers_refund", "customers_usagerecord", "customers_csatscore",
    "commissions_ledgerline",
)


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(%s) "
            "AND indexname LIKE %s",
            [list(HOT_TABLES), "%\\_like"],
        )
        for (name,) in cursor.fetchall():
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"', params=None)


class Migration(migrations.Migration):
    dependencies = [("commissions", "0003_lean_indexes"), ("customers", "0002_lean_indexes")]

    operations = [migrations.RunPython(drop_like_indexes, migrations.RunPython.noop)]
