from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "parceria.analytics"
    label = "analytics"

    def ready(self) -> None:
        from parceria.analytics import personal_data

        personal_data.register()
