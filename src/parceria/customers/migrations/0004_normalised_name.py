"""Customers keep their normalised name (common.names.normalise_name), filled here for the existing ones; on
PostgreSQL a GIN trigram index on it finds alike names without reading every customer."""

from typing import Any

from django.db import migrations, models

from parceria.common.names import normalise_name, trigram_index

BATCH = 5000


def fill(apps: Any, schema_editor: Any) -> None:
    Customer = apps.get_model("customers", "Customer")
    last = 0
    while True:
        rows = list(Customer.objects.filter(pk__gt=last).order_by("pk").only("pk", "name")[:BATCH])
        if not rows:
            return
        for row in rows:
            row.normalised_name = normalise_name(row.name)
        Customer.objects.bulk_update(rows, ["normalised_name"], batch_size=1000)
        last = rows[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0003_attribution_claim'),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='normalised_name',
            field=models.CharField(blank=True, help_text='The name without accents, case, punctuation or legal suffixes (common.names.normalise_name).', max_length=300),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        *trigram_index("customers_customer"),
    ]
