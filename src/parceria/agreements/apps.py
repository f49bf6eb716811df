from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "parceria.agreements"
    label = "agreements"
