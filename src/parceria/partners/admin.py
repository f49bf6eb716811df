from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parceria.common.audit import Actor
from parceria.common.pix import PixKeyError, parse_key_type, validate_pix_key
from parceria.partners.models import Partner, PartnerTerms
from parceria.partners.payout_details import payout_details_record_locked

PIX_FIELDS = ("pix_key_type", "pix_key")


class PartnerTermsInline(admin.TabularInline):
    model = PartnerTerms
    extra = 0
    can_delete = False
    readonly_fields = ("effective_from", "tier", "integration_share_rate", "referral_rate_override", "created_at",
                       "created_by")

    def has_add_permission(self, request, obj=None):  # terms change through the API/services only
        return False

    def has_change_permission(self, request, obj=None):  # a version is never changed: a change is a new one
        return False


class PartnerAdminForm(forms.ModelForm):
    """Checks the PIX key as the API does: both blank, or a key valid for its type (stored normalised).
    The admin builds the form's Meta for the Partner model."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key_type, key = (data.get("pix_key_type") or "").strip(), (data.get("pix_key") or "").strip()
        if not key_type and not key:
            data["pix_key_type"], data["pix_key"] = "", ""
            return data
        if not key_type or not key:
            self.add_error("pix_key" if key_type else "pix_key_type", _("Give both the PIX key type and the key."))
            return data
        try:
            data["pix_key_type"] = parse_key_type(key_type).value
        except PixKeyError:
            self.add_error("pix_key_type", _("Use one of cpf, cnpj, email, phone or evp."))
            return data
        try:
            data["pix_key"] = validate_pix_key(data["pix_key_type"], key)
        except PixKeyError:
            self.add_error("pix_key", _("This is not a valid PIX key of the chosen type."))
        return data


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerAdminForm
    list_display = ("name", "country", "category", "subcategory", "status", "tier", "currency")
    list_filter = ("status", "tier", "country", "category")
    search_fields = ("name", "legal_name", "tax_id")
    readonly_fields = (
        "tier",
        "integration_share_rate",
        "status",
        "tax_id",
        "tax_id_kind",
        "created_at",
        "updated_at",
        "payout_details_changed_at",
    )
    inlines = [PartnerTermsInline]

    def save_model(self, request: HttpRequest, obj: Partner, form: forms.ModelForm, change: bool) -> None:
        """A changed PIX key goes through the payout-details service (hold, audit, notice to the admins)."""
        if not change or not set(PIX_FIELDS) & set(form.changed_data):
            super().save_model(request, obj, form, change)
            return
        new_type, new_key = obj.pix_key_type, obj.pix_key
        with transaction.atomic():
            stored = Partner.objects.select_for_update().get(pk=obj.pk)
            obj.pix_key_type, obj.pix_key = stored.pix_key_type, stored.pix_key
            super().save_model(request, obj, form, change)
            if (new_type, new_key) != (stored.pix_key_type, stored.pix_key):
                actor = Actor(label=f"user:{request.user.get_username()}", user=request.user)
                payout_details_record_locked(obj, key_type=new_type, key=new_key, actor=actor)
