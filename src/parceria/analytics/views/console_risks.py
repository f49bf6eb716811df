"""The risk list in the console (/console/program/risks/): the partners at risk on a day, by score, each reason as
a sentence linking to its evidence; filters by reason and tier; CSV and Excel of the list."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parceria.analytics.risks import REASONS, PartnerRisk, reason_label, risk_list
from parceria.partners.models import PartnerStatus, Tier
from parceria.web.access import console_view
from parceria.web.pages import page
from parceria.web.tables import export_response, wants_export

NO_TIER = "none"


class RiskFilterForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("On"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), required=False)
    tier = forms.ChoiceField(label=gettext_lazy("Tier"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        reason, tier = self.fields["reason"], self.fields["tier"]
        assert isinstance(reason, forms.ChoiceField) and isinstance(tier, forms.ChoiceField)
        reason.choices = [("", _("Any reason")), *((k, reason_label(k)) for k in REASONS)]
        tier.choices = [("", _("Any tier")), *Tier.choices, (NO_TIER, _("No tier"))]


def _matches(risk: PartnerRisk, reason: str, tier: str) -> bool:
    if reason and all(r.key != reason for r in risk.reasons):
        return False
    return not tier or (risk.tier or NO_TIER) == tier


def _tier_label(tier: str | None) -> str:
    return str(Tier(tier).label) if tier in Tier.values else _("No tier")


@console_view()
def risks(request: HttpRequest) -> HttpResponse:
    form = RiskFilterForm(request.GET)
    valid = form.is_valid()
    chosen: dict[str, Any] = form.cleaned_data if valid else {"on": None, "reason": "", "tier": ""}
    on: date = chosen["on"] or timezone.localdate()
    rows = [r for r in risk_list(on) if _matches(r, chosen["reason"], chosen["tier"])] if valid else []
    if wants_export(request):
        header = [_("Partner"), _("Partner ID"), _("Tier"), _("Status"), _("Score"), _("Reasons")]
        return export_response(request, f"risks-{on.isoformat()}", header, (
            [r.partner_name, r.partner_id, _tier_label(r.tier), PartnerStatus(r.status).label, r.score,
             " ".join(reason.text for reason in r.reasons)] for r in rows))
    query = request.GET.copy()
    query.pop("export", None)
    exports = {fmt: "?" + (query.urlencode() + "&" if query else "") + f"export={fmt}" for fmt in ("csv", "xlsx")}
    context = {"form": form, "on": on, "rows": [(r, _tier_label(r.tier), PartnerStatus(r.status).label) for r in rows],
               "exports": exports}
    return page(request, "analytics/console/risks.html", context, nav="risks", status=200 if valid else 422)
