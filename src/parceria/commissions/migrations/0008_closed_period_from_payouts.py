"""ClosedPeriod moves from payouts to commissions, beside the ledger that posts around the closed months. Only
Django's state moves: the table keeps its name (payouts_closedperiod) and its rows. The content type follows the
model, so permissions granted on it stay attached."""

from django.db import migrations, models


def _move_content_type(apps, schema_editor, *, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if content_type.objects.using(db).filter(app_label=target, model="closedperiod").exists():
        return
    content_type.objects.using(db).filter(app_label=source, model="closedperiod").update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="payouts", target="commissions")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="commissions", target="payouts")


class Migration(migrations.Migration):

    dependencies = [
        ("commissions", "0007_ledger_totals"),
        ("payouts", "0007_one_payout_per_partner_and_currency"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ClosedPeriod",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("month", models.DateField(help_text="First day of the closed month.", unique=True)),
                        ("closed_at", models.DateTimeField(auto_now_add=True)),
                        ("closed_by", models.CharField(max_length=200)),
                    ],
                    options={
                        "db_table": "payouts_closedperiod",
                        "ordering": ["-month"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
