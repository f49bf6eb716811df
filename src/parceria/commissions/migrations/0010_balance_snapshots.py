"""Balance snapshots of closed months (commissions.BalanceSnapshot) and the index of the ledger totals by month.

A program that already has closed months gets the snapshot of its latest closed month, from the ledger-totals
projection of every month up to it (final: no line is posted into a closed month), so that its next close reads only
the months after it. Earlier closed months get none: a balance read up to one of them falls back to the months
before it, which stays exact. Reversing it drops the snapshots: they are rebuilt by running it again."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def snapshot_latest_closed_month(apps: Any, schema_editor: Any) -> None:
    closed = apps.get_model("commissions", "ClosedPeriod").objects.order_by("-month").values_list("month", flat=True)
    month = closed.first()
    if month is None:
        return
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    snapshots = quote(apps.get_model("commissions", "BalanceSnapshot")._meta.db_table)
    totals = quote(apps.get_model("commissions", "LedgerTotal")._meta.db_table)
    value = month.isoformat() if connection.vendor == "sqlite" else month
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {snapshots} (month, partner_id, kind, currency, amount_units, lines) "
            f"SELECT %s, partner_id, kind, currency, SUM(amount_units), SUM(lines) FROM {totals} "
            "WHERE period <= %s GROUP BY partner_id, kind, currency",
            [value, value],
        )


class Migration(migrations.Migration):

    dependencies = [
        ('commissions', '0009_mdf_ledger_kind_and_payout_reimbursement'),
        ('partners', '0008_payout_methods'),
    ]

    operations = [
        migrations.CreateModel(
            name='BalanceSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='The closed month (first day) whose balances this is.')),
                ('kind', models.CharField(choices=[('accrual', 'Accrual'), ('clawback', 'Clawback'), ('adjustment', 'Adjustment'), ('payout', 'Payout'), ('payout_reversal', 'Payout reversal'), ('mdf', 'Marketing fund reimbursement')], max_length=16)),
                ('currency', models.CharField(choices=[('BRL', 'BRL — Brazilian real'), ('MXN', 'MXN — Mexican peso'), ('COP', 'COP — Colombian peso'), ('ARS', 'ARS — Argentine peso'), ('CLP', 'CLP — Chilean peso'), ('USD', 'USD — US dollar')], max_length=3)),
                ('amount_units', models.BigIntegerField(help_text='Σ amount × 10⁴ of the lines up to `month`.')),
                ('lines', models.PositiveIntegerField(help_text='Number of lines up to `month`.')),
            ],
        ),
        migrations.AddIndex(
            model_name='ledgertotal',
            index=models.Index(fields=['period'], name='ledger_total_period'),
        ),
        migrations.AddField(
            model_name='balancesnapshot',
            name='partner',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner'),
        ),
        migrations.AddConstraint(
            model_name='balancesnapshot',
            constraint=models.UniqueConstraint(fields=('month', 'partner', 'kind', 'currency'), name='balance_snapshot_group'),
        ),
        migrations.RunPython(snapshot_latest_closed_month, migrations.RunPython.noop, elidable=True),
    ]
