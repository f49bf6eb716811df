from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "parceria.deals"
    label = "deals"
