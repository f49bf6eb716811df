from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "parceria.analytics"
    label = "analytics"
