"""The figures the platform cannot know (analytics.models.ProgramFigure): which exist, and recording one.

Each input is a monthly value, of the whole program or per partner. A KPI that needs an input reads it for its
period; a month without it is "no data" (the KPI names the input to import), never zero. `figure_record` is the
one writer: it validates the key, the unit (a money figure needs a currency; a count is a whole number ≥ 0; a
score lies in its scale), upserts by (key, month, partner) and audits the change. The CSV and API imports call it
row by row inside one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parceria.analytics.models import ProgramFigure
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput
from parceria.common.money import CURRENCIES
from parceria.common.months import month_start
from parceria.partners.models import Partner

Unit = Literal["money", "count", "score"]


@dataclass(frozen=True)
class InputDef:
    key: str
    label: object  # a lazy translation
    unit: Unit
    per_partner: bool
    help: object
    scale: tuple[Decimal, Decimal] | None = None  # a score's bounds


INPUTS: dict[str, InputDef] = {d.key: d for d in [
    InputDef("direct_new_customers", gettext_lazy("New customers through direct sales"), "count", False,
             gettext_lazy("Customers the direct-sales team won in the month, when the platform does not send direct "
                          "customers; it replaces the count of customers without a partner for that month.")),
    InputDef("direct_revenue", gettext_lazy("Revenue from direct customers"), "money", False,
             gettext_lazy("Revenue paid in the month by customers won without a partner, when the platform does not "
                          "send their invoices.")),
    InputDef("direct_cac", gettext_lazy("Direct-sales CAC"), "money", False,
             gettext_lazy("The direct-sales team's average cost to acquire one customer in the month (sales and "
                          "marketing spend ÷ customers won).")),
    InputDef("direct_deal_size", gettext_lazy("Direct-sales average deal size"), "money", False,
             gettext_lazy("The average first-year value of the deals the direct-sales team closed in the month.")),
    InputDef("direct_ltv", gettext_lazy("Direct customers' lifetime value"), "money", False,
             gettext_lazy("The average lifetime value of a directly acquired customer, as finance measures it.")),
    InputDef("direct_retention_12m", gettext_lazy("Direct customers' 12-month retention (%)"), "score", False,
             gettext_lazy("The share (0–100) of directly acquired customers still paying 12 months after they "
                          "started."), (Decimal(0), Decimal(100))),
    InputDef("partner_program_cost", gettext_lazy("Partner program cost"), "money", False,
             gettext_lazy("What the partner program cost in the month besides commissions: its team, marketing, "
                          "events and tools.")),
    InputDef("partner_satisfaction", gettext_lazy("Partner satisfaction (NPS survey, 1–5)"), "score", True,
             gettext_lazy("The partner's answer to the quarterly satisfaction survey, on a 1 to 5 scale."),
             (Decimal(1), Decimal(5))),
    InputDef("support_tickets", gettext_lazy("Support tickets"), "count", True,
             gettext_lazy("Support tickets opened in the month by the partner's customers.")),
    InputDef("support_cost", gettext_lazy("Support cost"), "money", True,
             gettext_lazy("What supporting the partner and its customers cost in the month.")),
    InputDef("joint_marketing_activities", gettext_lazy("Joint marketing activities"), "count", True,
             gettext_lazy("Co-marketing activities run with the partner in the month (webinars, events, content).")),
    InputDef("mdf_spent", gettext_lazy("Market development funds spent"), "money", True,
             gettext_lazy("Market development funds paid to or spent with the partner in the month.")),
]}


def input_def(key: str) -> InputDef:
    found = INPUTS.get(key)
    if found is None:
        raise InvalidInput(_("Unknown figure %(key)r; use one of: %(keys)s.") % {"key": key, "keys": ", ".join(INPUTS)},
                           code="unknown_figure", details={"field": "key"})
    return found


def _clean_value(definition: InputDef, value: Decimal, currency: str) -> tuple[Decimal, str]:
    if not value.is_finite():
        raise InvalidInput(_("The value must be a number."), code="invalid", details={"field": "value"})
    if value < 0:
        raise InvalidInput(_("The value cannot be negative."), code="invalid", details={"field": "value"})
    if definition.unit == "money":
        if currency not in CURRENCIES:
            raise InvalidInput(_("A money figure needs its currency (e.g. BRL)."), code="invalid",
                               details={"field": "currency"})
        return value.quantize(Decimal("0.0001")), currency
    if currency:
        raise InvalidInput(_("Only a money figure has a currency."), code="invalid", details={"field": "currency"})
    if definition.unit == "count" and value != value.to_integral_value():
        raise InvalidInput(_("A count is a whole number."), code="invalid", details={"field": "value"})
    if definition.scale is not None and not definition.scale[0] <= value <= definition.scale[1]:
        low, high = definition.scale
        raise InvalidInput(_("The value must lie between %(low)s and %(high)s.") % {"low": low, "high": high},
                           code="invalid", details={"field": "value"})
    if abs(value) >= Decimal(10) ** 16:
        raise InvalidInput(_("The value is too large."), code="invalid", details={"field": "value"})
    return value.quantize(Decimal("0.0001")), ""


def figure_record(*, key: str, month: date, value: Decimal, actor: Actor, partner: Partner | None = None,
                  currency: str = "", source: str = "") -> tuple[ProgramFigure, str]:
    """Record one input for `month` (any day of it), of the program or of `partner`; answers the figure and
    "created", "updated" or "unchanged". Bad input raises InvalidInput and writes nothing."""
    definition = input_def(key)
    if definition.per_partner and partner is None:
        raise InvalidInput(_("%(key)s is a figure per partner: name the partner.") % {"key": key},
                           code="partner_required", details={"field": "partner_id"})
    if not definition.per_partner and partner is not None:
        raise InvalidInput(_("%(key)s is a figure of the whole program: name no partner.") % {"key": key},
                           code="invalid", details={"field": "partner_id"})
    clean, currency = _clean_value(definition, value, currency)
    month = month_start(month)
    with transaction.atomic():
        found = ProgramFigure.objects.select_for_update().filter(key=key, month=month, partner=partner).first()
        if found is not None and found.value == clean and found.currency == currency:
            return found, "unchanged"
        before = None if found is None else {"value": format(found.value, "f"), "currency": found.currency}
        figure = found or ProgramFigure(key=key, month=month, partner=partner)
        figure.value, figure.currency = clean, currency
        figure.source, figure.updated_by_label = source[:200], actor.label[:200]
        figure.save()
        audit_record_create(actor=actor, action="program_figure.recorded", obj=figure, before=before,
                            after={"key": key, "month": month.isoformat(), "partner_id": figure.partner_id,
                                   "value": format(clean, "f"), "currency": currency})
    return figure, "created" if found is None else "updated"
