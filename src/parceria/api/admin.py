"""The API's Idempotency-Keys in the Django admin, read-only: they are written by the API (idempotency.py) and
deleted by `parceria idempotency-prune`."""

from __future__ import annotations

from django.contrib import admin

from parceria.api.models import IdempotencyKey
from parceria.common.admin import ReadOnlyAdmin


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "owner", "key", "method", "path", "status")
    list_filter = ("status", "method")
    search_fields = ("owner", "key", "path")
    exclude = ("body",)
