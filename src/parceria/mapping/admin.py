"""The admin of account mapping: mappings are read only and never show their salt (the mapping key's seed); their
accounts are not listed here (digests only, read through the mapping's pages). Sharing levels change through the
console and the portal, which audit them."""

from django.contrib import admin
from django.http import HttpRequest

from parceria.mapping.models import AccountMapping, PartnerSharing, ProgramSharing


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AccountMapping)
class AccountMappingAdmin(_ReadOnly):
    list_display = ("pk", "partner", "created_at", "rows", "accounts", "issue_count", "matched_at")
    search_fields = ("partner__name",)
    exclude = ("salt",)


@admin.register(PartnerSharing)
class PartnerSharingAdmin(_ReadOnly):
    list_display = ("partner", "company_level", "partner_level", "updated_at")


@admin.register(ProgramSharing)
class ProgramSharingAdmin(_ReadOnly):
    list_display = ("company_level", "updated_at", "updated_by_label")
