from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "parceria.integrations"
    label = "integrations"
    verbose_name = "Integrations"
