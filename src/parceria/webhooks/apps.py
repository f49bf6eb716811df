from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "parceria.webhooks"
    label = "webhooks"
