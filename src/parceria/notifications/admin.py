from django.contrib import admin

from parceria.notifications.models import ChatWebhook, Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event_type", "partner", "channel", "user", "status", "attempts")
    list_filter = ("status", "channel", "event_type")
    raw_id_fields = ("event", "partner", "user", "chat_webhook")


@admin.register(ChatWebhook)
class ChatWebhookAdmin(admin.ModelAdmin):
    list_display = ("partner", "url", "enabled", "language")
    raw_id_fields = ("partner",)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "event_type", "email")
    raw_id_fields = ("user",)
