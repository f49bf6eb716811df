from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "parceria.privacy"
    label = "privacy"
    verbose_name = "Privacy (LGPD) and operations"
