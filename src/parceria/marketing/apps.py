from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "parceria.marketing"
    label = "marketing"

    def ready(self) -> None:
        from parceria.marketing import personal_data

        personal_data.register()
