"""Reimbursement snapshots of closes (payouts.ReimbursementSnapshot) and the index of failed payouts' marks.

A program that already has closes gets the snapshot of its latest batch: Σ reimbursement of the payouts of every batch
up to it, per partner and currency, and the batch marked as having it, so that its next close reads only the payouts
of later batches and the failed ones. Earlier batches get none (a read falls back to every payout, which stays exact).
Reversing it drops the snapshots."""

from decimal import Decimal
from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def snapshot_latest_batch(apps: Any, schema_editor: Any) -> None:
    batch = apps.get_model("payouts", "PayoutBatch").objects.order_by("-period").first()
    if batch is None:
        return
    paid: dict[tuple[int, str], Decimal] = {}
    payouts = apps.get_model("payouts", "Payout").objects.filter(batch__period__lte=batch.period, reimbursement__gt=0)
    for partner_id, currency, amount in payouts.values_list("partner_id", "currency", "reimbursement").iterator():
        paid[(partner_id, currency)] = paid.get((partner_id, currency), Decimal(0)) + amount
    snapshot = apps.get_model("payouts", "ReimbursementSnapshot")
    snapshot.objects.bulk_create(
        snapshot(month=batch.period, partner_id=partner_id, currency=currency, paid=amount)
        for (partner_id, currency), amount in sorted(paid.items())
    )
    apps.get_model("payouts", "PayoutBatch").objects.filter(pk=batch.pk).update(reimbursements_snapshot=True)


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0008_payout_methods'),
        ('payouts', '0011_withholding_abroad'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReimbursementSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='The closed month (first day) of the close that wrote it.')),
                ('currency', models.CharField(choices=[('BRL', 'BRL — Brazilian real'), ('MXN', 'MXN — Mexican peso'), ('COP', 'COP — Colombian peso'), ('ARS', 'ARS — Argentine peso'), ('CLP', 'CLP — Chilean peso'), ('USD', 'USD — US dollar')], max_length=3)),
                ('paid', models.DecimalField(decimal_places=4, help_text='Σ reimbursement of the payouts up to month.', max_digits=20)),
            ],
        ),
        migrations.AddField(
            model_name='payoutbatch',
            name='reimbursements_snapshot',
            field=models.BooleanField(default=False, help_text='Its close wrote the reimbursement snapshot of its month (ReimbursementSnapshot), whose rows may be none: no reimbursement paid yet.'),
        ),
        migrations.AddIndex(
            model_name='payoutstatuschange',
            index=models.Index(condition=models.Q(('status', 'failed')), fields=['payout'], name='payout_status_failed'),
        ),
        migrations.AddField(
            model_name='reimbursementsnapshot',
            name='partner',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner'),
        ),
        migrations.AddConstraint(
            model_name='reimbursementsnapshot',
            constraint=models.UniqueConstraint(fields=('month', 'partner', 'currency'), name='reimbursement_snapshot_once'),
        ),
        migrations.RunPython(snapshot_latest_batch, migrations.RunPython.noop, elidable=True),
    ]
