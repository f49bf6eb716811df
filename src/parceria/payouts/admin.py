from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from parceria.common.admin import ReadOnlyAdmin
from parceria.payouts.models import (
    BatchExport,
    Payout,
    PayoutBatch,
    PayoutThreshold,
    WithholdingRule,
)
from parceria.payouts.rule_validation import RuleError, check_rule


class WithholdingRuleForm(forms.ModelForm):
    class Meta:
        model = WithholdingRule
        fields = [
            "code",
            "name",
            "country",
            "tax_regime",
            "kind",
            "params",
            "effective_from",
            "effective_to",
            "minimum_to_withhold",
            "legal_basis",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            check_rule(
                code=data["code"],
                country=data["country"],
                tax_regime=data["tax_regime"],
                kind=data["kind"],
                params=data["params"],
                effective_from=data["effective_from"],
                effective_to=data.get("effective_to"),
                exclude_pk=self.instance.pk,
                minimum_to_withhold=data.get("minimum_to_withhold") or Decimal(0),
            )
        except RuleError as exc:
            self.add_error(exc.field, str(exc))
        return data


@admin.register(WithholdingRule)
class WithholdingRuleAdmin(admin.ModelAdmin):
    """Withholding rules are versions: add a new one (and end the old one with effective_to) to change a rate."""

    form = WithholdingRuleForm
    list_display = (
        "code", "name", "country", "tax_regime", "kind", "minimum_to_withhold", "effective_from", "effective_to",
    )
    list_filter = ("country", "tax_regime", "code")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # payouts point at the version that computed their tax


@admin.register(PayoutThreshold)
class PayoutThresholdAdmin(admin.ModelAdmin):
    list_display = ("currency", "amount", "amount_currency")


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ("period", "created_at", "created_by")


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("id", "batch", "partner", "currency", "gross", "net", "due_date")
    list_filter = ("currency",)
    raw_id_fields = ("batch", "partner")


@admin.register(BatchExport)
class BatchExportAdmin(ReadOnlyAdmin):
    list_display = ("filename", "batch", "kind", "file_sequence", "created_at", "created_by")
