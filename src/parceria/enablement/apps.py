from django.apps import AppConfig


class EnablementConfig(AppConfig):
    name = "parceria.enablement"
    label = "enablement"

    def ready(self) -> None:
        from parceria.enablement import personal_data

        personal_data.register()

        from parceria.common.alerts import register_alert_provider
        from parceria.customers.hooks import on_invoices_paid
        from parceria.enablement.alert_providers import late_check_ins
        from parceria.enablement.services import certifications_issue_after_payment

        register_alert_provider(late_check_ins)
        on_invoices_paid(certifications_issue_after_payment)
