from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parceria.accounts"
    label = "accounts"
