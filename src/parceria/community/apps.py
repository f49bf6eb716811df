from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "parceria.community"
    label = "community"
