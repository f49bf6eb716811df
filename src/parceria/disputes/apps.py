from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "parceria.disputes"
    label = "disputes"
