from django.contrib import admin

from parceria.common.admin import ReadOnlyAdmin
from parceria.customers.models import Customer, Event, EventBatch, Invoice


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "external_id", "country", "partner", "status", "attributed_at")
    list_filter = ("status", "country")
    search_fields = ("name", "external_id", "tax_id", "domain")
    raw_id_fields = ("partner",)
    readonly_fields = ("status", "churned_at", "created_at", "updated_at")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "occurred_at", "customer", "received_at")
    list_filter = ("type",)
    search_fields = ("event_id",)
    raw_id_fields = ("customer", "batch")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("invoice_id", "customer", "amount", "currency", "paid_at")
    search_fields = ("invoice_id",)
    raw_id_fields = ("customer", "event")


@admin.register(EventBatch)
class EventBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "source", "submitted_by", "received_at", "received", "accepted", "duplicates")
    list_filter = ("source",)
