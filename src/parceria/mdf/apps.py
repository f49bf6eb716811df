from django.apps import AppConfig


class MdfConfig(AppConfig):
    name = "parceria.mdf"
    label = "mdf"
    verbose_name = "Marketing development funds"
