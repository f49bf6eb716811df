from django.apps import AppConfig


class MappingConfig(AppConfig):
    name = "parceria.mapping"
    label = "mapping"
