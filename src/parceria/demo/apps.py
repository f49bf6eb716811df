from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "parceria.demo"
    label = "demo"
