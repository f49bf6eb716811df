"""Safeguard flags in the Django admin, read-only: they are raised by the scan and cleared through
safeguards.services (audited)."""

from __future__ import annotations

from django.contrib import admin

from parceria.common.admin import ReadOnlyAdmin
from parceria.safeguards.models import SafeguardFlag


@admin.register(SafeguardFlag)
class SafeguardFlagAdmin(ReadOnlyAdmin):
    list_display = ("kind", "partner", "status", "raised_at", "cleared_at", "cleared_by_label")
    list_filter = ("kind", "status")
    search_fields = ("partner__name",)
