"""Deal registrations in the Django admin, read-only: they change only through deals.services (conflict checks,
audit)."""

from __future__ import annotations

from django.contrib import admin

from parceria.common.admin import ReadOnlyAdmin
from parceria.deals.models import DealRegistration


@admin.register(DealRegistration)
class DealRegistrationAdmin(ReadOnlyAdmin):
    list_display = ("company_name", "partner", "status", "tax_id", "domain", "expires_on", "created_at")
    list_filter = ("status", "country", "currency")
    search_fields = ("company_name", "normalised_name", "tax_id", "domain", "partner__name")
