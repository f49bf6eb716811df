from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parceria.common.models import AuditRecord, FxRate


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are shown in the admin and never added, changed or deleted there (ledger lines,
    events, payouts, audit records): they change only through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id")


@admin.register(FxRate)
class FxRateAdmin(ReadOnlyAdmin):
    """Rates are evidence, never overwritten: they are imported (PTAX), not typed in."""

    list_display = ("on_date", "base", "quote", "rate", "source")
    list_filter = ("base", "quote", "source")
