"""`GET /api/v1/analytics/channel-conflict`: the channel-conflict report (deals.reporting) as JSON. Staff keys read
every partner's figures (or one partner's with `partner_id`); a partner key reads only its own partner's: another
partner's id is a 404, and the totals are its own. The schema is documented in docs/deals.md."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, MONTH_PATTERN, RowId, month_of
from parceria.common.errors import NotFound
from parceria.deals.reporting import channel_conflict_report, month_range, report_out
from parceria.partners.selectors import scope_partners

router = Router(tags=["analytics"])


class ConflictFiguresOut(Schema):
    registrations: int
    attribution_claims: int = Field(description="Referral and coupon claims on customers made in the period.")
    deals: int = Field(description="registrations + attribution_claims.")
    registration_conflicts: int
    claim_conflicts: int
    conflicts: int
    conflict_rate: str | None = Field(description="conflicts ÷ deals in percent, two places; null without deals.")
    decided_automatically: int
    decided_after_review: int
    time_to_decision_median_hours: str | None
    time_to_decision_p90_hours: str | None
    approved: int
    converted: int
    conversion_rate: str | None = Field(description="converted ÷ approved in percent; null without approved ones.")
    sales_cycle_median_days: str | None
    sales_cycle_p90_days: str | None


class MonthConflictOut(ConflictFiguresOut):
    month: str


class PartnerConflictOut(ConflictFiguresOut):
    partner_id: int
    name: str


class ChannelConflictOut(Schema):
    from_: str = Field(alias="from")
    to: str
    partner_id: int | None
    target_rate: str = Field(description="The target: a conflict rate below this percentage.")
    total: ConflictFiguresOut
    months: list[MonthConflictOut]
    partners: list[PartnerConflictOut]


class ReportParams(Schema):
    from_: str | None = Field(None, alias="from", json_schema_extra={"pattern": MONTH_PATTERN},
                              description="The first month, YYYY-MM (default: eleven months before `to`).")
    to: str | None = Field(None, json_schema_extra={"pattern": MONTH_PATTERN},
                           description="The last month, YYYY-MM (default: the current month).")
    partner_id: RowId | None = None


@router.get("/analytics/channel-conflict", response={200: ChannelConflictOut, **ERRORS}, by_alias=True,
            summary="Channel conflicts, decisions, conversion and sales cycle per month and partner")
def channel_conflict(request: HttpRequest, params: Query[ReportParams]) -> Any:
    principal = principal_of(request)
    principal.require(Ability.READ)
    first = month_of(params.from_, "from") if params.from_ is not None else None
    last = month_of(params.to, "to") if params.to is not None else None
    period = month_range(first, last)
    if params.partner_id is not None and not scope_partners(principal).filter(pk=params.partner_id).exists():
        raise NotFound(f"partner {params.partner_id} not found")
    return report_out(channel_conflict_report(principal, period, partner_id=params.partner_id))
