from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "parceria.leads"
    label = "leads"
