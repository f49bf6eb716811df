from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "parceria.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from parceria.webhooks import personal_data

        personal_data.register()
