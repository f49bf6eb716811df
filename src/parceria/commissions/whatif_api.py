"""Commission plans API: list plans, create draft versions, and run a what-if (SPEC §6.7)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.schemas import (
    ERRORS,
    MONTH_PATTERN,
    NOT_BLANK_PATTERN,
    RATE_PATTERN,
    JsonInt,
    Page,
    PageParams,
    PathId,
    declared,
)
from parceria.commissions.models import CommissionPlan
from parceria.commissions.plans import MAX_PLAN_MONTHS, plan_draft_create
from parceria.commissions.whatif import WhatIfReport, plan_what_if
from parceria.common.errors import InvalidInput
from parceria.common.money import ledger_str
from parceria.common.months import month_end, parse_month
from parceria.partners.models import Tier

router = Router(tags=["plans"])



class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=120,
                         description="Plan name; the draft becomes its next version.")
    referral_rates: dict[str, str] = declared(
        description='Rate per tier as decimal strings, e.g. {"certified": "0.20", "preferred": "0.25", '
        '"strategic": "0.35"}; every tier is required.',
        properties={tier: {"type": "string", "pattern": RATE_PATTERN} for tier in Tier.values},
        required=list(Tier.values), additionalProperties=False,
    )
    entry_rate: str = declared(pattern=RATE_PATTERN, description='Rate for active partners with no tier, e.g. "0.20".')
    max_months: JsonInt | None = declared(None, minimum=1, maximum=MAX_PLAN_MONTHS,
                                          description="Months after attribution that pay; null: lifetime.")


class PlanOut(Schema):
    id: int
    name: str
    version: int
    status: str
    effective_from: datetime | None
    effective_to: datetime | None
    referral_rates: dict[str, str]
    entry_rate: str
    max_months: int | None
    created_at: datetime

    @staticmethod
    def resolve_entry_rate(obj: CommissionPlan) -> str:
        return format(obj.entry_rate.normalize(), "f")

    @staticmethod
    def resolve_referral_rates(obj: CommissionPlan) -> dict[str, str]:
        return {tier: str(rate) for tier, rate in obj.referral_rates.items()}


class PlanPage(Page):
    items: list[PlanOut]


class WhatIfIn(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", pattern=MONTH_PATTERN, description="First month, YYYY-MM.")
    to: str | None = Field(None, pattern=MONTH_PATTERN,
                           description="Last month, YYYY-MM (default: the first month), not before `from`.")


class PlanRef(Schema):
    id: int
    name: str
    version: int
    status: str


class PartnerWhatIfOut(Schema):
    partner_id: int
    name: str
    currency: str
    current_accrued: str
    what_if_accrued: str
    difference: str
    current_clawed_back: str
    what_if_clawed_back: str
    net_difference: str


class CurrencyWhatIfOut(Schema):
    currency: str
    partners: int
    current_accrued: str
    what_if_accrued: str
    difference: str
    current_clawed_back: str
    what_if_clawed_back: str
    net_difference: str


class InvoiceNotComputedOut(Schema):
    invoice_id: str
    error: str


class WhatIfOut(Schema):
    plan: PlanRef
    period_from: date
    period_to: date
    invoices: int
    partners: list[PartnerWhatIfOut]
    totals: list[CurrencyWhatIfOut]
    not_computed: list[InvoiceNotComputedOut]


@router.get("/plans", response={200: PlanPage, **ERRORS}, summary="List commission plans")
def list_plans(request: HttpRequest, page: Query[PageParams]) -> dict[str, object]:
    """Every plan version, active and draft; a partner credential sees the active ones only."""
    principal = principal_of(request)
    principal.require(Ability.READ)
    plans = CommissionPlan.objects.order_by("name", "version")
    if principal.is_partner:
        plans = plans.filter(status=CommissionPlan.Status.ACTIVE)
    return {
        "count": plans.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(plans[page.offset : page.offset + page.limit]),
    }


@router.post("/plans", response={201: PlanOut, **ERRORS}, summary="Create a draft plan version (finance)")
def create_plan(request: HttpRequest, payload: PlanIn) -> Status:
    """A draft never affects accruals; try it with POST /plans/{id}/what-if."""
    principal = principal_of(request)
    principal.require(Ability.FINANCE)
    plan = plan_draft_create(
        name=payload.name,
        referral_rates=payload.referral_rates,
        entry_rate=payload.entry_rate,
        max_months=payload.max_months,
        actor=principal.actor,
    )
    return Status(201, plan)


@router.post(
    "/plans/{int:plan_id}/what-if", response={200: WhatIfOut, **ERRORS}, summary="Run a plan over past months (finance)"
)
def run_what_if(request: HttpRequest, plan_id: PathId, payload: WhatIfIn) -> dict[str, object]:
    """Recomputes, without writing anything, the accruals of every invoice paid in the months given, under
    this plan, and compares per partner with what the ledger accrued for the same invoices. Amounts are
    decimal strings in each partner's payout currency; `difference` = what-if − current, before clawbacks;
    `net_difference` after them."""
    principal = principal_of(request)
    principal.require(Ability.FINANCE)
    plan = get_object_or_404(CommissionPlan, pk=plan_id)
    first = parse_month(payload.from_, field="from")
    last = parse_month(payload.to or payload.from_, field="to")
    period_to = month_end(last)
    if first > last:
        raise InvalidInput("from must not be after to", details={"field": "to"})
    return _report_out(plan_what_if(plan=plan, period_from=first, period_to=period_to))


def _report_out(report: WhatIfReport) -> dict[str, object]:
    return {
        "plan": {
            "id": report.plan_id,
            "name": report.plan_name,
            "version": report.plan_version,
            "status": report.plan_status,
        },
        "period_from": report.period_from,
        "period_to": report.period_to,
        "invoices": report.invoices,
        "partners": [
            {
                "partner_id": p.partner_id,
                "name": p.name,
                "currency": p.currency,
                "current_accrued": ledger_str(p.current_accrued),
                "what_if_accrued": ledger_str(p.what_if_accrued),
                "difference": ledger_str(p.difference),
                "current_clawed_back": ledger_str(p.current_clawed_back),
                "what_if_clawed_back": ledger_str(p.what_if_clawed_back),
                "net_difference": ledger_str(p.net_difference),
            }
            for p in report.partners
        ],
        "totals": [
            {
                "currency": t.currency,
                "partners": t.partners,
                "current_accrued": ledger_str(t.current_accrued),
                "what_if_accrued": ledger_str(t.what_if_accrued),
                "difference": ledger_str(t.difference),
                "current_clawed_back": ledger_str(t.current_clawed_back),
                "what_if_clawed_back": ledger_str(t.what_if_clawed_back),
                "net_difference": ledger_str(t.net_difference),
            }
            for t in report.totals
        ],
        "not_computed": [{"invoice_id": n.invoice_id, "error": n.error} for n in report.not_computed],
    }
