"""Withholding on payouts to payees outside Brazil: the `foreign` rule versions of payouts/data/withholding.json
(country "*", the default for every country with no version of its own, and Mexico, Argentina, Chile and Colombia)
are loaded as 0006 loads the others. A version missing from the database is added; a shipped version whose params
staff have not changed is brought up to the file (name, legal basis, minimum); one staff changed is left as it is.
Run again, it changes nothing. Reversing it removes nothing: payouts may already point at these versions."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import migrations, models

DATA = Path(__file__).resolve().parent.parent / "data" / "withholding.json"
REGIME = "foreign"


def load(apps: Any, schema_editor: Any) -> None:
    rule_model = apps.get_model("payouts", "WithholdingRule")
    for rule in json.loads(DATA.read_text(encoding="utf-8"))["rules"]:
        if rule["tax_regime"] != REGIME:
            continue
        key = {"country": rule["country"], "tax_regime": REGIME, "code": rule["code"],
               "effective_from": rule["effective_from"]}
        fields = {
            "name": rule["name"],
            "kind": rule["kind"],
            "params": rule["params"],
            "legal_basis": rule["legal_basis"],
            "minimum_to_withhold": Decimal(rule["minimum_to_withhold"]),
        }
        row = rule_model.objects.filter(**key).first()
        if row is None:
            rule_model.objects.create(**key, effective_to=rule["effective_to"], **fields)
        elif row.params == rule["params"]:
            rule_model.objects.filter(pk=row.pk).update(**fields)


class Migration(migrations.Migration):
    dependencies = [("payouts", "0010_payout_methods")]

    operations = [
        migrations.AlterField(
            model_name="withholdingrule",
            name="country",
            field=models.CharField(
                help_text="The payee's country (BR, MX, …), or * for the payees of every country with no version of "
                "its own in force.",
                max_length=2,
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
