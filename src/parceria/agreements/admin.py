from django.contrib import admin

from parceria.agreements.models import Agreement, AgreementDocument, AgreementTerm


class AgreementTermInline(admin.TabularInline):
    model = AgreementTerm
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "value", "rate", "effective_from", "created_at", "created_by")

    def has_add_permission(self, request, obj=None):  # terms are granted through the services only
        return False


class AgreementDocumentInline(admin.TabularInline):
    model = AgreementDocument
    extra = 0
    can_delete = False
    readonly_fields = ("name", "size", "uploaded_by", "uploaded_at")
    exclude = ("file",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("id", "partner", "type", "status", "start_date", "initial_term_months", "auto_renewal")
    list_filter = ("type", "status", "auto_renewal")
    search_fields = ("partner__name", "title")
    readonly_fields = ("status", "plan_approval", "terminated_on", "created_at", "updated_at")
    inlines = [AgreementTermInline, AgreementDocumentInline]
