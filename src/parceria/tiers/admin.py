"""The admin of tier definitions (versions are data; a change goes through the tier services' rules) and of the
assessments (read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from parceria.common.admin import ReadOnlyAdmin
from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput
from parceria.partners.models import TierAssessment, TierDefinition
from parceria.tiers.definitions import tier_definition_check, tier_definition_create, tier_definition_end


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
