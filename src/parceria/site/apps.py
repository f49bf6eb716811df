from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The site shell: the start page (with the demo logins), the health check, sign-in and `parceria serve`."""

    name = "parceria.site"
    label = "site"
