from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The site shell: the start page (with the demo logins), the health check and sign-in."""

    name = "parceria.site"
    label = "site"
