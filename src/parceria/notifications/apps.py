from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "parceria.notifications"
    label = "notifications"

    def ready(self) -> None:
        from parceria.notifications import personal_data

        personal_data.register()

        from parceria.notifications.listener import on_events
        from parceria.webhooks.outbox import register_listener

        register_listener(on_events)
        import parceria.notifications.retention  # noqa: F401  (registers the outbox events' retention rule)
