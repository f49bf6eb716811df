from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "parceria.community"
    label = "community"

    def ready(self) -> None:
        from parceria.community import personal_data

        personal_data.register()
