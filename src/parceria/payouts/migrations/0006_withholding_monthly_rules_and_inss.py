"""Monthly withholding: a per-rule minimum to withhold, the `capped` kind (INSS), the employer's
contributions on payouts, and the rule versions of payouts/data/withholding.json brought up to date.

A shipped version that staff have not changed (its params are still those first shipped) is updated
to the file; a changed one is left as staff made it. Versions missing from the database are added. A
`minimum_tax` left in any rule's params moves to its `minimum_to_withhold` field."""

import json
from decimal import Decimal
from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

DATA = Path(__file__).resolve().parent.parent / "data" / "withholding.json"

_TABLE = [
    {"up_to": "2428.80", "rate": "0", "deduction": "0"},
    {"up_to": "2826.65", "rate": "0.075", "deduction": "182.16"},
    {"up_to": "3751.05", "rate": "0.15", "deduction": "394.16"},
    {"up_to": "4664.68", "rate": "0.225", "deduction": "675.49"},
    {"up_to": None, "rate": "0.275", "deduction": "908.73"},
]
# The params first shipped (migration 0002), by (country, tax_regime, code, effective_from).
FIRST_SHIPPED = {
    ("BR", "pj", "8045", "2018-11-23"): {"rate": "0.015", "minimum_tax": "10.00"},
    ("BR", "pf", "0588", "2025-05-01"): {"brackets": _TABLE},
    ("BR", "pf", "0588", "2026-01-01"): {
        "brackets": _TABLE,
        "reduction": {"zero_up_to": "5000.00", "up_to": "7350.00", "constant": "978.62", "factor": "0.133145"},
    },
}


def sync(apps, schema_editor):
    rule_model = apps.get_model("payouts", "WithholdingRule")
    for row in rule_model.objects.all():
        if isinstance(row.params, dict) and "minimum_tax" in row.params:
            params = dict(row.params)
            minimum = params.pop("minimum_tax")
            rule_model.objects.filter(pk=row.pk).update(params=params, minimum_to_withhold=Decimal(str(minimum)))
    for rule in json.loads(DATA.read_text(encoding="utf-8"))["rules"]:
        key = (rule["country"], rule["tax_regime"], rule["code"], rule["effective_from"])
        fields = {
            "name": rule["name"],
            "kind": rule["kind"],
            "params": rule["params"],
            "legal_basis": rule["legal_basis"],
            "minimum_to_withhold": Decimal(rule["minimum_to_withhold"]),
        }
        row = rule_model.objects.filter(
            country=key[0], tax_regime=key[1], code=key[2], effective_from=key[3]
        ).first()
        if row is None:
            rule_model.objects.create(
                country=key[0], tax_regime=key[1], code=key[2], effective_from=key[3],
                effective_to=rule["effective_to"], **fields,
            )
            continue
        first = dict(FIRST_SHIPPED.get(key, {}))
        first.pop("minimum_tax", None)
        if row.params in (first, rule["params"]):
            rule_model.objects.filter(pk=row.pk).update(**fields)


class Migration(migrations.Migration):
    dependencies = [("payouts", "0005_payout_payment_date")]

    operations = [
        migrations.AlterField(
            model_name="payout",
            name="payment_date",
            field=models.DateField(help_text="Date of payment or credit: the day of the close that made it."),
        ),
        migrations.AddIndex(
            model_name="payout",
            index=models.Index(fields=["payment_date", "payee_tax_id"], name="payout_payment_month"),
        ),
        migrations.AddField(
            model_name="withholdingrule",
            name="minimum_to_withhold",
            field=models.DecimalField(
                decimal_places=4,
                default=0,
                help_text="Not withheld when the tax, rounded to the cent, is at most this (the payout's tax for a "
                "flat rule, the month's for the others); 0: always withheld. Brazil: R$ 10.00, Lei 9.430/96 art. 67.",
                max_digits=20,
            ),
        ),
        migrations.AlterField(
            model_name="withholdingrule",
            name="kind",
            field=models.CharField(
                choices=[
                    ("flat", "Flat rate of the gross"),
                    ("progressive", "Progressive table with deductions"),
                    ("capped", "Rate of the month's gross up to a ceiling"),
                ],
                max_length=12,
            ),
        ),
        migrations.CreateModel(
            name="PayoutEmployerContribution",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=10)),
                ("base", models.DecimalField(decimal_places=4, max_digits=20)),
                ("amount", models.DecimalField(decimal_places=4, max_digits=20)),
                ("explanation", models.TextField()),
                (
                    "payout",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="employer_contributions",
                        to="payouts.payout",
                    ),
                ),
                (
                    "rule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="payouts.withholdingrule"
                    ),
                ),
            ],
            options={"ordering": ["payout_id", "code"]},
        ),
        migrations.RunPython(sync, migrations.RunPython.noop),
    ]
