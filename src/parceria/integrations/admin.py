from django.contrib import admin

from parceria.integrations.models import StripeEvent


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ("event_id", "type", "status", "livemode", "created_at", "received_at")
    list_filter = ("status", "type", "livemode")
    search_fields = ("event_id",)
    readonly_fields = ("event_id", "type", "status", "answer", "livemode", "created_at", "received_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
