from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "parceria.deals"
    label = "deals"

    def ready(self) -> None:
        from parceria.deals import personal_data

        personal_data.register()

        from parceria.customers.hooks import on_customers_created
        from parceria.deals.services import deal_convert_arrivals

        on_customers_created(deal_convert_arrivals)
