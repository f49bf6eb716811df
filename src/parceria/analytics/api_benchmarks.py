"""GET /api/v1/analytics/partners, /partners/{id}/scorecard and /concentration: partner scorecards against their
peers and revenue concentration (analytics.benchmarks). Staff and analytics keys read every partner's; a partner key
reads only its own scorecard (another partner's is a 404) and neither the list nor the concentration (403)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from parceria.accounts.tenancy import Ability, Principal, across_partners
from parceria.analytics.access import analytics_reader
from parceria.analytics.api import router
from parceria.analytics.benchmarks import (
    Concentration,
    PartnerScore,
    Share,
    benchmarks_report,
    concentration,
    default_period,
    partner_scorecard,
)
from parceria.analytics.periods import Period, parse_period
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, MONTH_PATTERN, PathId
from parceria.common.errors import NotFound
from parceria.partners.selectors import scope_partners

PERIOD_HELP = "A month (YYYY-MM) or a quarter (YYYY-Q1 to YYYY-Q4); default: the last full month."
#: A month or a quarter, in the years the API takes (MONTH_PATTERN's); parse_period reads it.
PERIOD_PATTERN = MONTH_PATTERN.removesuffix("(0[1-9]|1[0-2])$") + "(0[1-9]|1[0-2]|Q[1-4])$"


class BenchmarkMetricOut(Schema):
    key: str
    label: str
    value: str | None = Field(description="Decimal text in `unit`; null when there is no data.")
    unit: str = Field(description="count, brl (R$), percent, score or days.")
    percentile: str | None = Field(description="Mid-rank percentile among the partner's tier-and-category peers "
                                               "(higher is better); null without data or peers.")


class BenchmarkScorecardOut(Schema):
    partner_id: int
    name: str
    tier: str | None
    category: str
    period: str
    peers: int = Field(description="Active partners of its tier and category, itself included.")
    commissions: str = Field(description="Commissions of the period in R$ (the ROI's cost).")
    support_cost: str
    metrics: list[BenchmarkMetricOut]


class BenchmarkPageOut(Schema):
    period: str
    count: int
    limit: int
    offset: int
    unconverted: int = Field(description="Amounts left out for want of an FX rate to R$.")
    items: list[BenchmarkScorecardOut]


class BenchmarkParams(Schema):
    period: str | None = Field(None, description=PERIOD_HELP, json_schema_extra={"pattern": PERIOD_PATTERN})


class BenchmarkPageParams(BenchmarkParams):
    limit: int = Field(100, ge=1, le=500, description="Items per page (1–500).")
    offset: int = Field(0, ge=0, le=2**31, description="Items to skip.")


class ConcentrationShareOut(Schema):
    partner_id: int | None = Field(description="null for the other partners together.")
    name: str
    revenue: str
    share: str = Field(description="Percent of the partners' positive revenue, two places.")


class ConcentrationOut(Schema):
    period: str
    total: str = Field(description="The partners' positive net revenue of the period, R$.")
    partners: int
    top_share: str | None
    hhi: str | None = Field(description="Σ share², 0 to 10,000; null without revenue.")
    top: list[ConcentrationShareOut]
    others: ConcentrationShareOut | None
    unconverted: int


def _period(text: str | None) -> Period:
    return default_period() if text is None else parse_period(text)


def _staff(request: HttpRequest) -> Principal:
    return analytics_reader(request)


def scorecard_out(score: PartnerScore, period: Period) -> dict[str, Any]:
    return {"partner_id": score.partner_id, "name": score.name, "tier": score.tier, "category": score.category,
            "period": period.key, "peers": score.peers, "commissions": str(score.commissions),
            "support_cost": str(score.support_cost), "metrics": [m.out() for m in score.metric_list()]}


def _share(share: Share) -> dict[str, Any]:
    return {"partner_id": share.partner_id, "name": share.name, "revenue": str(share.revenue),
            "share": str(share.share)}


def concentration_out(result: Concentration) -> dict[str, Any]:
    return {"period": result.period.key, "total": str(result.total), "partners": result.partners,
            "top_share": None if result.top_share is None else str(result.top_share),
            "hhi": None if result.hhi is None else str(result.hhi), "top": [_share(s) for s in result.top],
            "others": None if result.others is None else _share(result.others), "unconverted": result.unconverted}


@router.get("/partners", response={200: BenchmarkPageOut, **ERRORS},
            summary="Every active partner's scorecard with its percentiles among its peers (paged)")
def benchmark_partners(request: HttpRequest, params: Query[BenchmarkPageParams]) -> Any:
    _staff(request)
    period = _period(params.period)
    report = benchmarks_report(period)
    window = report.scores[params.offset:params.offset + params.limit]
    return {"period": period.key, "count": len(report.scores), "limit": params.limit, "offset": params.offset,
            "unconverted": report.unconverted, "items": [scorecard_out(s, period) for s in window]}


@router.get("/partners/{partner_id}/scorecard", response={200: BenchmarkScorecardOut, **ERRORS},
            summary="One partner's scorecard against its tier-and-category peers")
def benchmark_scorecard(request: HttpRequest, partner_id: PathId, params: Query[BenchmarkParams]) -> Any:
    principal = principal_of(request)
    principal.require(Ability.READ)
    if not principal.is_partner:  # a partner reads its own scorecard; anyone else needs the analytics scope
        principal.require(Ability.ANALYTICS)
    period = _period(params.period)
    partner = scope_partners(principal).filter(pk=partner_id).first()
    if partner is None:
        raise NotFound(f"partner {partner_id} not found")
    # The peers' figures are read only to rank the partner among them; the answer holds its own figures and
    # percentiles, never a peer's.
    with across_partners():
        score = partner_scorecard(partner, period)
    return scorecard_out(score, period)


@router.get("/concentration", response={200: ConcentrationOut, **ERRORS},
            summary="Revenue concentration across partners: the top partners' shares and the HHI")
def benchmark_concentration(request: HttpRequest, params: Query[BenchmarkParams]) -> Any:
    _staff(request)
    return concentration_out(concentration(_period(params.period)))
