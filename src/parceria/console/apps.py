from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "parceria.console"
    label = "console"
