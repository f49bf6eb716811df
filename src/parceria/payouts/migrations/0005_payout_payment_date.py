"""Payouts record their payment date (the taxable event): the day of the close that made them, which is
the day their row was written. Existing payouts get the local date of their creation."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    payout_model = apps.get_model("payouts", "Payout")
    zone = ZoneInfo(settings.TIME_ZONE)
    for pk, created_at in payout_model.objects.filter(payment_date__isnull=True).values_list("pk", "created_at"):
        payout_model.objects.filter(pk=pk).update(payment_date=created_at.astimezone(zone).date())


class Migration(migrations.Migration):
    dependencies = [("payouts", "0004_export_payout_ids")]

    operations = [
        migrations.AddField(
            model_name="payout",
            name="payment_date",
            field=models.DateField(
                null=True, help_text="Date of payment or credit: the day of the close that made it."
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
