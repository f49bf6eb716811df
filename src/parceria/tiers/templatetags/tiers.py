"""Template helpers for the tier pages: a tier's name and a requirement's number, per the active language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from parceria.common.formatting import format_money, format_number
from parceria.tiers.selectors import RequirementRow

register = template.Library()

TIER_NAMES = {"certified": pgettext_lazy("tier", "Certified"), "preferred": pgettext_lazy("tier", "Preferred"),
              "strategic": pgettext_lazy("tier", "Strategic"),
              "integration": pgettext_lazy("tier", "Integration partner")}


@register.simple_tag
def tier_name(tier: str | None) -> str:
    """{% tier_name "preferred" %} → "Preferred" (translated); no tier → "No tier yet"."""
    return str(TIER_NAMES.get(tier or "", gettext_lazy("No tier yet")))


@register.simple_tag
def metric_value(row: RequirementRow, value: Any) -> str:
    """A number of `row`'s metric as people read it: R$ 1.234,56 (ARR), 4,25 (CSAT), 3 (a count), Yes/No; "—" for
    no data."""
    language = get_language() or "en"
    if value is None:
        return "—"
    if row.kind == "money":
        return format_money(Decimal(value), "BRL", language=language)
    if row.kind == "score":
        return format_number(Decimal(value), 2, language=language)
    if row.kind == "count":
        return format_number(Decimal(value), 0, language=language)
    return _("Yes") if value else _("No")
