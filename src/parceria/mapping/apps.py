from django.apps import AppConfig


class MappingConfig(AppConfig):
    name = "parceria.mapping"
    label = "mapping"

    def ready(self) -> None:
        from parceria.mapping import personal_data

        personal_data.register()
