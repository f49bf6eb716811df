"""ClosedPeriod now belongs to commissions (commissions 0008): payouts forgets it. Nothing changes in the
database; the table stays, owned by commissions."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("payouts", "0007_one_payout_per_partner_and_currency"),
        ("commissions", "0008_closed_period_from_payouts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ClosedPeriod")],
            database_operations=[],
        ),
    ]
