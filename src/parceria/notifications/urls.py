"""The notification pages: the console (namespace notifications_console) and the portal (notifications_portal)."""

from django.urls import path

from parceria.notifications.views import console, portal

console_patterns = [
    path("notifications/", console.log, name="log"),
    path("notifications/settings/", console.settings_page, name="settings"),
]

portal_patterns = [
    path("notifications/", portal.settings_page, name="settings"),
    path("notifications/chat/", portal.chat_action, name="chat"),
]
