from django.apps import AppConfig


class MdfConfig(AppConfig):
    name = "parceria.mdf"
    label = "mdf"
    verbose_name = "Marketing development funds"

    def ready(self) -> None:
        from parceria.mdf import personal_data

        personal_data.register()
