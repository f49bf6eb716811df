from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "parceria.agreements"
    label = "agreements"

    def ready(self) -> None:
        from parceria.agreements import personal_data

        personal_data.register()

        from parceria.agreements.alerts import agreement_alerts
        from parceria.common.alerts import register_alert_provider

        register_alert_provider(agreement_alerts)
