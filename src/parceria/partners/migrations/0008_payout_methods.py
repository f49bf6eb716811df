"""Payout methods: a partner with a PIX key is paid by the method "pix", its key the method's details, and the key's
first version is kept in the history (holding nothing: it is the account the partner had)."""

import django.db.models.deletion
from django.db import migrations, models


def pix_keys_become_methods(apps, schema_editor):
    Partner = apps.get_model("partners", "Partner")
    Change = apps.get_model("partners", "PayoutMethodChange")  # noqa: N806
    changes = []
    for partner in Partner.objects.exclude(pix_key="").iterator():
        account = {"key_type": partner.pix_key_type, "key": partner.pix_key}
        Partner.objects.filter(pk=partner.pk).update(payout_method="pix", payout_account=account)
        changes.append(Change(partner_id=partner.pk, method="pix", account=account, holds=False,
                              changed_at=partner.payout_details_changed_at or partner.created_at,
                              changed_by="migration: PIX key before payout methods"))
    Change.objects.bulk_create(changes, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0007_integration_partner'),
    ]

    operations = [
        migrations.AddField(
            model_name='partner',
            name='payout_account',
            field=models.JSONField(blank=True, default=dict, help_text="The payout method's normalised details (a PIX method's are also pix_key_type and pix_key, its indexed copy)."),
        ),
        migrations.AddField(
            model_name='partner',
            name='payout_method',
            field=models.CharField(blank=True, help_text='How payouts are sent (common.payout_methods.PayoutMethod); blank: none.', max_length=12),
        ),
        migrations.AlterField(
            model_name='partner',
            name='payout_details_changed_at',
            field=models.DateTimeField(blank=True, help_text='Last change of the payout method; payouts are held for a while after it.', null=True),
        ),
        migrations.CreateModel(
            name='PayoutMethodChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('method', models.CharField(blank=True, help_text='Blank: the method was removed.', max_length=12)),
                ('account', models.JSONField(blank=True, default=dict)),
                ('reason', models.TextField(blank=True, help_text="Why an account outside the partner's country.")),
                ('holds', models.BooleanField(default=True)),
                ('changed_at', models.DateTimeField()),
                ('changed_by', models.CharField(max_length=200)),
                ('partner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payout_method_changes', to='partners.partner')),
            ],
            options={
                'ordering': ['partner_id', 'changed_at', 'id'],
            },
        ),
        migrations.RunPython(pix_keys_become_methods, migrations.RunPython.noop),
    ]
