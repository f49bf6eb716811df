from django.apps import AppConfig


class SafeguardsConfig(AppConfig):
    name = "parceria.safeguards"
    label = "safeguards"
