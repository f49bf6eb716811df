from django.apps import AppConfig


class EnablementConfig(AppConfig):
    name = "parceria.enablement"
    label = "enablement"

    def ready(self) -> None:
        from parceria.common.alerts import register_alert_provider
        from parceria.enablement.alert_providers import late_check_ins

        register_alert_provider(late_check_ins)
