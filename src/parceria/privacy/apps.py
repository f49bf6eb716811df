from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "parceria.privacy"
    label = "privacy"
    verbose_name = "Privacy (LGPD) and operations"

    def ready(self) -> None:
        from parceria.privacy import personal_data

        personal_data.register()
