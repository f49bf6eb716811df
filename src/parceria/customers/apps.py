from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "parceria.customers"
    label = "customers"
