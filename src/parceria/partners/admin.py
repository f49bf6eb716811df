from django.contrib import admin

from parceria.partners.models import Partner, PartnerTerms


class PartnerTermsInline(admin.TabularInline):
    model = PartnerTerms
    extra = 0
    can_delete = False
    readonly_fields = ("effective_from", "tier", "integration_share_rate", "created_at", "created_by")

    def has_add_permission(self, request, obj=None):  # terms change through the API/services only
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "category", "subcategory", "status", "tier", "currency")
    list_filter = ("status", "tier", "country", "category")
    search_fields = ("name", "legal_name", "tax_id")
    readonly_fields = ("tier", "integration_share_rate", "status", "tax_id", "tax_id_kind", "created_at", "updated_at")
    inlines = [PartnerTermsInline]
