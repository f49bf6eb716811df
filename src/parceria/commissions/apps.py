from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "parceria.commissions"
    label = "commissions"
