"""Leads and their offers in the Django admin, read-only: they change only through leads.services (the console and
the API; audited)."""

from __future__ import annotations

from django.contrib import admin

from parceria.common.admin import ReadOnlyAdmin
from parceria.leads.models import Lead, LeadOffer


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ("company_name", "country", "status", "created_at")
    list_filter = ("status", "country")
    search_fields = ("company_name", "external_id", "tax_id", "domain")


@admin.register(LeadOffer)
class LeadOfferAdmin(ReadOnlyAdmin):
    list_display = ("lead", "partner", "status", "deadline", "offered_at")
    list_filter = ("status",)
    search_fields = ("lead__company_name", "partner__name")
