"""Payouts record their payout method and its details, and the net in the company's paying currency with the rate;
a payout made before methods existed with a PIX key was paid by the method "pix"."""

from django.db import migrations, models


def pix_payouts(apps, schema_editor):
    Payout = apps.get_model("payouts", "Payout")
    for payout in Payout.objects.exclude(pix_key="").only("pk", "pix_key_type", "pix_key").iterator():
        Payout.objects.filter(pk=payout.pk).update(
            method="pix", account={"key_type": payout.pix_key_type, "key": payout.pix_key}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('payouts', '0009_mdf_ledger_kind_and_payout_reimbursement'),
    ]

    operations = [
        migrations.AddField(
            model_name='payout',
            name='account',
            field=models.JSONField(blank=True, default=dict, help_text="The method's details, copied at the close."),
        ),
        migrations.AddField(
            model_name='payout',
            name='fx_date',
            field=models.DateField(blank=True, help_text='The day the rate is of.', null=True),
        ),
        migrations.AddField(
            model_name='payout',
            name='fx_rate',
            field=models.DecimalField(blank=True, decimal_places=10, help_text='paid_from_currency per unit of currency.', max_digits=24, null=True),
        ),
        migrations.AddField(
            model_name='payout',
            name='fx_source',
            field=models.CharField(blank=True, help_text='Where the rate comes from (ptax, import, …).', max_length=60),
        ),
        migrations.AddField(
            model_name='payout',
            name='method',
            field=models.CharField(blank=True, help_text='The payout method at the close (common.payout_methods); blank before methods existed: a PIX key when pix_key is set.', max_length=12),
        ),
        migrations.AddField(
            model_name='payout',
            name='paid_from_amount',
            field=models.DecimalField(blank=True, decimal_places=4, help_text='The net in paid_from_currency, to the cent.', max_digits=20, null=True),
        ),
        migrations.AddField(
            model_name='payout',
            name='paid_from_currency',
            field=models.CharField(blank=True, help_text="The company's paying currency when it is not the payout's (FX below).", max_length=3),
        ),
        migrations.AlterField(
            model_name='batchexport',
            name='kind',
            field=models.CharField(help_text='cnab (PIX), cnab_ted, csv (every payout), or a transfer file: spei, cbu, co_bank, cl_bank, intl.', max_length=10),
        ),
        migrations.RunPython(pix_payouts, migrations.RunPython.noop),
    ]
