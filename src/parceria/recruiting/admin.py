"""Applications, directory listings and directory messages in the Django admin, read-only: they change only through
recruiting.services (the public pages, the console and the portal; audited)."""

from __future__ import annotations

from django.contrib import admin

from parceria.common.admin import ReadOnlyAdmin
from parceria.recruiting.models import Application, DirectoryContact, DirectoryListing


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("partner", "kind", "status", "submitted_at", "decided_at")
    list_filter = ("status", "kind")
    search_fields = ("partner__name", "contact_email")


@admin.register(DirectoryListing)
class DirectoryListingAdmin(ReadOnlyAdmin):
    list_display = ("partner", "opted_in", "slug", "updated_at")
    list_filter = ("opted_in",)
    search_fields = ("partner__name", "slug")


@admin.register(DirectoryContact)
class DirectoryContactAdmin(ReadOnlyAdmin):
    list_display = ("partner", "lead", "offered", "sent_at")
    list_filter = ("offered",)
