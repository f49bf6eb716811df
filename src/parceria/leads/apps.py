from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "parceria.leads"
    label = "leads"

    def ready(self) -> None:
        from parceria.leads import personal_data

        personal_data.register()
