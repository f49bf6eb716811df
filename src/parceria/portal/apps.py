from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "parceria.portal"
    label = "portal"
