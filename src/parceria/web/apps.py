from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "parceria.web"
    label = "web"
