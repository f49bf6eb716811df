from django.apps import AppConfig


class RecruitingConfig(AppConfig):
    name = "parceria.recruiting"
    label = "recruiting"
