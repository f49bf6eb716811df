from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "parceria.partners"
    label = "partners"
