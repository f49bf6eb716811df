from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "parceria.payouts"
    label = "payouts"
