from django.contrib import admin

from parceria.community.models import MeetingCadence, TicketSla


@admin.register(MeetingCadence)
class MeetingCadenceAdmin(admin.ModelAdmin):
    list_display = ("tier", "kind", "interval_days")


@admin.register(TicketSla)
class TicketSlaAdmin(admin.ModelAdmin):
    list_display = ("severity", "first_response_hours", "resolution_hours")
