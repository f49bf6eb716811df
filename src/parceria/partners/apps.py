from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "parceria.partners"
    label = "partners"

    def ready(self) -> None:
        from parceria.partners import personal_data

        personal_data.register()

        from parceria.common.alerts import register_alert_provider
        from parceria.partners.alert_providers import overdue_stages

        register_alert_provider(overdue_stages)
