"""Load the withholding rules (payouts/data/withholding.json) and the default payout minimums."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "withholding.json"

THRESHOLDS = [
    ("BRL", "100.00", "BRL"),
    ("MXN", "350.00", "MXN"),
    ("COP", "80000.00", "COP"),
    ("CLP", "18000", "CLP"),
    ("ARS", "20.00", "USD"),
    ("USD", "20.00", "USD"),
]


def load(apps, schema_editor):
    rule_model = apps.get_model("payouts", "WithholdingRule")
    for rule in json.loads(DATA.read_text(encoding="utf-8"))["rules"]:
        rule_model.objects.get_or_create(
            country=rule["country"],
            tax_regime=rule["tax_regime"],
            code=rule["code"],
            effective_from=rule["effective_from"],
            defaults={
                "name": rule["name"],
                "kind": rule["kind"],
                "params": rule["params"],
                "effective_to": rule["effective_to"],
                "legal_basis": rule["legal_basis"],
            },
        )
    threshold_model = apps.get_model("payouts", "PayoutThreshold")
    for currency, amount, amount_currency in THRESHOLDS:
        threshold_model.objects.get_or_create(
            currency=currency, defaults={"amount": amount, "amount_currency": amount_currency}
        )


class Migration(migrations.Migration):
    dependencies = [("payouts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
