from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "parceria.marketing"
    label = "marketing"
