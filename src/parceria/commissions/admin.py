from django.contrib import admin
from django.http import HttpRequest

from parceria.commissions.models import ClosedPeriod, CommissionPlan, LedgerLine
from parceria.common.admin import ReadOnlyAdmin


@admin.register(LedgerLine)
class LedgerLineAdmin(ReadOnlyAdmin):
    """The ledger is append-only: the admin shows it and changes nothing."""

    list_display = ("id", "partner", "kind", "rule", "amount", "currency", "occurred_at", "event")
    list_filter = ("kind", "rule", "currency")
    search_fields = ("event__event_id", "invoice__invoice_id", "explanation")
    raw_id_fields = ("partner", "event", "invoice", "customer", "reverses")


@admin.register(CommissionPlan)
class CommissionPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "status", "effective_from", "effective_to", "entry_rate", "max_months")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(ReadOnlyAdmin):
    list_display = ("month", "closed_at", "closed_by")
