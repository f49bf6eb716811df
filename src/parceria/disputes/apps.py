from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "parceria.disputes"
    label = "disputes"

    def ready(self) -> None:
        from parceria.disputes import personal_data

        personal_data.register()
