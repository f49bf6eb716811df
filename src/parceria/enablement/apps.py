from django.apps import AppConfig


class EnablementConfig(AppConfig):
    name = "parceria.enablement"
    label = "enablement"
