from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The API toolkit (auth, schemas, errors, the parser) and the one table it keeps: the idempotency keys of the
    API's POST requests (idempotency.py)."""

    name = "parceria.api"
    label = "api"
