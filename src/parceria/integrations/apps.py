from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "parceria.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from parceria.integrations import personal_data

        personal_data.register()
