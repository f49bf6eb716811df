"""On PostgreSQL, GIN trigram indexes on the normalised names of deal registrations and opportunities, so the
similar-name check reads the few alike rows instead of every row (common.names.similar_rows)."""

from django.db import migrations

from parceria.common.names import trigram_index


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0003_direct_sales_pipeline'),
        ('customers', '0004_normalised_name'),
    ]

    operations = [
        *trigram_index("deals_dealregistration"),
        *trigram_index("deals_opportunity"),
    ]
