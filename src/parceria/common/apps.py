from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "parceria.common"
    label = "common"
    verbose_name = "Common"
