from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "parceria.commissions"
    label = "commissions"

    def ready(self) -> None:
        from parceria.commissions import personal_data

        personal_data.register()
