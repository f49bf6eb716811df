from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parceria.common.admin import ReadOnlyAdmin
from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.partners.models import Partner, PartnerTerms, TierAssessment, TierDefinition
from parceria.partners.payout_details import payout_details_record_locked
from parceria.partners.tiers import tier_definition_check, tier_definition_create, tier_definition_end
from parceria.payouts.pix import PixKeyError, parse_key_type, validate_pix_key

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


class TierDefinitionForm(forms.ModelForm):
    """Checked by the tier service's own rules (tier_definition_check): a message beside the field it names."""

    class Meta:
        model = TierDefinition
        fields = ["tier", "effective_from", "effective_to", "requirements", "benefits"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        value = {name: data.get(name, getattr(self.instance, name)) for name in self._meta.fields or ()}
        try:
            tier_definition_check(
                tier=value["tier"], effective_from=value["effective_from"], effective_to=value["effective_to"],
                requirements=value["requirements"], benefits=value["benefits"], exclude_pk=self.instance.pk,
            )
        except InvalidInput as exc:
            field = exc.details.get("field") if isinstance(exc.details, dict) else None
            self.add_error(field if field in self.fields else None, exc.message)
        return data


@admin.register(TierDefinition)
class TierDefinitionAdmin(admin.ModelAdmin):
    """Tier versions are data: add a new version (after ending the one in force with effective_to) to change a tier's
    requirements or benefits. A saved version keeps its requirements and benefits: assessments name it."""

    form = TierDefinitionForm
    list_display = ("tier", "version", "effective_from", "effective_to", "created_at")
    list_filter = ("tier",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("version", "created_at")
        return ("tier", "version", "effective_from", "requirements", "benefits", "created_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = Actor(label=f"admin:{request.user.get_username()}", user=request.user)
        if change:
            tier_definition_end(definition=obj, effective_to=obj.effective_to, actor=actor)
            return
        created = tier_definition_create(
            tier=obj.tier, effective_from=obj.effective_from, effective_to=obj.effective_to,
            requirements=obj.requirements, benefits=obj.benefits, actor=actor,
        )
        for name in ("id", "version", "requirements", "benefits", "created_at"):
            setattr(obj, name, getattr(created, name))
        obj._state.adding = False


@admin.register(TierAssessment)
class TierAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("partner", "assessed_on", "previous_tier", "qualified_tier", "resulting_tier", "change",
                    "below_since")
    list_filter = ("assessed_on", "resulting_tier", "change")
    search_fields = ("partner__name",)
    raw_id_fields = ("partner",)
