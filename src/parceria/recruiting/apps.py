from django.apps import AppConfig


class RecruitingConfig(AppConfig):
    name = "parceria.recruiting"
    label = "recruiting"

    def ready(self) -> None:
        from parceria.recruiting import personal_data

        personal_data.register()
