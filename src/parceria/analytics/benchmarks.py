"""Partner scorecards against their peers, ROI per partner and revenue concentration (docs/analytics.md, "Partner
benchmarks"). Read-only and set-based: a fixed number of queries whatever the number of partners.

Per partner and period (a month or a quarter, `analytics.periods`):

* **customers acquired**: new customers of the period's months (`analytics.monthly`).
* **revenue**: net revenue in R$ of the period's months (`analytics.monthly`); **ARR**: 12 × the revenue of the
  period's last month, to the cent (`facts.arr_by_month`'s rule).
* **revenue growth**: (revenue − the previous period's revenue) ÷ the previous period's revenue, in percent with
  two places (half up); none when the previous period's revenue is not positive.
* **CSAT**: `tiers.metrics.partner_csat`, the tier ladder's CSAT, at the end of the period (or now, for the
  current period): the mean of the latest score of each active attributed customer.
* **NPS**: the partner's satisfaction (1–5) of the latest month of the period that has one
  (`analytics.satisfaction.partner_satisfaction`: its quarterly survey answers converted from 0–10, else the
  imported `partner_satisfaction` figure); none without.
* **conflicts** and **conversion**: `deals.reporting.channel_conflict_report`'s figures of the partner over the
  period's months: its conflicts, and its converted registrations ÷ its registrations in percent (registrations →
  customers; none without registrations).
* **disputes opened**: disputes the partner opened in the period.
* **MDF used**: the input `mdf_spent` summed over the period's months, in R$.
* **time to first customer**: days from the partner's first signed agreement (`signed_on`) to its first
  customer's first paid invoice (local date; `analytics.rollup.first_customer_days`), when both happened by the
  end of the period (0 when the customer paid first).
* **ROI** = (revenue − commissions − MDF − support cost) ÷ (commissions + MDF + support cost), in percent with two
  places; commissions are the ledger's accruals, clawbacks and adjustments of the period's accounting months in R$
  (`analytics.monthly`: at the rate of the day of each line's event), support cost the input `support_cost`.
  Without any cost there is no ROI (shown "—"), never a division.

Revenue, new customers, commissions and the first customer's day come from the monthly roll-up (`analytics.rollup`,
read once for the period and the one before). Figures in another currency (MDF, support cost) convert to R$
explicitly with `FxBook` at the rate of the month's last day (the latest on or before it, at most FX_MAX_AGE_DAYS
old); an amount without a rate is left out and counted in `unconverted`.

**Percentiles** compare a partner with its peers: the active partners of the same tier and the same category (no
tier is a group of its own). Among the n peers (itself included) that have a value for the metric, with B peers
worse and E peers equal (itself included), the percentile is (B + E ÷ 2) ÷ n × 100, to one place (half up): the
mid-rank percentile, so tied partners share one percentile. "Worse" is lower, except for conflicts, disputes and
time to first customer, where less is better; so a higher percentile is always better. A metric without a value
has no percentile; neither has a partner alone in its group with a value (n < 2).

**Concentration**: each partner's share of the partners' positive net revenue of the period (a partner whose
refunds exceed its payments has no share), the top partner's share and the HHI = Σ (share in percent)², on 0 to
10,000, to two places.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parceria.accounts.models import ApiKeyScope
from parceria.accounts.tenancy import Principal
from parceria.agreements.models import Agreement
from parceria.analytics import rollup
from parceria.analytics.facts import revenue_by_month
from parceria.analytics.models import BenchmarkSnapshot, ProgramFigure
from parceria.analytics.monthly import in_brl
from parceria.analytics.periods import Period
from parceria.analytics.satisfaction import partner_satisfaction
from parceria.common.months import add_months, month_end, month_start, next_month
from parceria.deals.reporting import MonthRange, channel_conflict_report
from parceria.disputes.models import Dispute
from parceria.partners.models import Partner, PartnerStatus
from parceria.tiers.metrics import partner_csat

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
TOP = 10  # partners named on the concentration page; the rest are "others"
#: The analytics reader the peers' figures are computed as (every partner: the percentiles need them all).
_READER = Principal(scope=ApiKeyScope.ANALYTICS, label="analytics")


@dataclass(frozen=True)
class MetricDef:
    key: str
    label: Any  # a lazy translation
    unit: str  # count, brl, percent, score, days
    lower_is_better: bool = False


METRICS: list[MetricDef] = [
    MetricDef("customers_acquired", _("Customers acquired"), "count"),
    MetricDef("revenue", _("Revenue (R$)"), "brl"),
    MetricDef("arr", _("ARR (R$)"), "brl"),
    MetricDef("revenue_growth", _("Revenue growth (%)"), "percent"),
    MetricDef("csat", _("Customer satisfaction (CSAT)"), "score"),
    MetricDef("nps", _("Partner satisfaction (1–5)"), "score"),
    MetricDef("conflicts", _("Channel conflicts"), "count", lower_is_better=True),
    MetricDef("disputes_opened", _("Disputes opened"), "count", lower_is_better=True),
    MetricDef("mdf_used", _("MDF used (R$)"), "brl"),
    MetricDef("time_to_first_customer", _("Days to first customer"), "days", lower_is_better=True),
    MetricDef("conversion", _("Registrations to customers (%)"), "percent"),
    MetricDef("roi", _("ROI (%)"), "percent"),
]
METRIC_KEYS = [m.key for m in METRICS]


@dataclass
class Metric:
    key: str
    label: Any
    unit: str
    value: Decimal | int | None
    percentile: Decimal | None = None

    def out(self) -> dict[str, Any]:
        """As the API gives it: the value and percentile as decimal text, None where there is none."""
        return {"key": self.key, "label": str(self.label), "unit": self.unit,
                "value": None if self.value is None else str(self.value),
                "percentile": None if self.percentile is None else str(self.percentile)}


@dataclass
class PartnerScore:
    partner_id: int
    name: str
    tier: str | None
    category: str
    metrics: dict[str, Metric]
    peers: int  # active partners of its tier and category, itself included
    commissions: Decimal = Decimal(0)
    support_cost: Decimal = Decimal(0)

    def value(self, key: str) -> Decimal | int | None:
        return self.metrics[key].value

    def metric_list(self) -> list[Metric]:
        return [self.metrics[k] for k in METRIC_KEYS]


@dataclass
class Benchmarks:
    period: Period
    scores: list[PartnerScore]
    unconverted: int = 0  # amounts left out for want of an FX rate


# --- helpers ----------------------------------------------------------------------------------------------------


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole in percent, two places half up; None when whole is not positive."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def roi(revenue: Decimal, cost: Decimal) -> Decimal | None:
    """(revenue − cost) ÷ cost in percent, two places half up; None without a cost (nothing to divide by)."""
    return percent(revenue - cost, cost)


def mid_rank_percentile(value: Decimal | int, values: Iterable[Decimal | int]) -> Decimal | None:
    """(B + E ÷ 2) ÷ n × 100 to one place: B values below `value`, E equal (itself included), n in all; None when
    n < 2. `values` includes `value` itself."""
    return _ranker(list(values))(value)


def _ranker(values: list[Decimal | int]) -> Callable[[Decimal | int], Decimal | None]:
    """`mid_rank_percentile` against `values` for any one of them, after one sort (a group of n peers costs
    n log n, not n²)."""
    ordered = sorted(values)

    def rank(value: Decimal | int) -> Decimal | None:
        if len(ordered) < 2:
            return None
        below, through = bisect_left(ordered, value), bisect_right(ordered, value)
        return ((Decimal(below) + Decimal(through - below) / 2) * 100 / len(ordered)).quantize(TENTH, ROUND_HALF_UP)

    return rank


def _figures_in_brl(key: str, period: Period, unconverted: list[int]) -> dict[int, Decimal]:
    """The per-partner figure `key` summed over the period's months in R$ (each month at its last day's rate)."""
    rows = (ProgramFigure.objects.filter(key=key, month__gte=period.first_month, month__lte=period.last_month,
                                         partner__isnull=False)
            .values_list("partner_id", "currency", "month", "value"))
    out: dict[int, Decimal] = defaultdict(Decimal)
    for partner, value in in_brl((p, c or "BRL", month_end(m), v) for p, c, m, v in rows):
        if value is None:
            unconverted[0] += 1
        else:
            out[partner] += value
    return dict(out)


def _moment(period: Period) -> datetime:
    """The end of the period (its last instant), or now for a period not over yet."""
    end = _local_start(next_month(period.last_month)) - timedelta(microseconds=1)
    return min(end, timezone.now())


# --- the scorecards -------------------------------------------------------------------------------------------


def _raw_figures(period: Period, partners: list[Partner], *, every_partner: bool = True,
                 ) -> tuple[dict[int, dict[str, Any]], dict[int, Decimal], dict[int, Decimal], int]:
    """The figures of `partners`; `every_partner`: they are all the active partners (the facts are read for the
    whole program), otherwise a few (the facts are read for their customers only)."""
    ids = [p.pk for p in partners]
    only = None if every_partner else ids
    unconverted = [0]
    previous = period.shift(-1)
    this_revenue: dict[int, Decimal] = defaultdict(Decimal)
    last_revenue: dict[int, Decimal] = defaultdict(Decimal)
    arr: dict[int, Decimal] = {}
    acquired: dict[int, int] = defaultdict(int)
    commissions: dict[int, Decimal] = defaultdict(Decimal)
    for (month, partner), cell in rollup.cells(previous.first_month, period.last_month, partners=only).items():
        if partner is None:
            continue
        unconverted[0] += cell.revenue_unconverted
        if month < period.first_month:
            last_revenue[partner] += cell.revenue
            continue
        unconverted[0] += cell.commissions_unconverted
        this_revenue[partner] += cell.revenue
        acquired[partner] += cell.new_customers
        commissions[partner] += cell.commissions
        if month == period.last_month:
            arr[partner] = (cell.revenue * 12).quantize(CENT, ROUND_HALF_EVEN)
    csat = partner_csat(only, _moment(period))
    satisfaction: dict[int, Decimal] = {}
    for _month, answers in sorted(partner_satisfaction(period.first_month, period.last_month).items()):
        satisfaction.update(answers)  # the latest month's answer wins
    conflicts = {p.partner_id: p.figures for p in channel_conflict_report(
        _READER, MonthRange(period.first_month, period.last_month)).partners}
    start, end = _local_start(period.first_month), _local_start(next_month(period.last_month))
    disputes = dict(Dispute.objects.filter(opened_at__gte=start, opened_at__lt=end).order_by()
                    .values("partner_id").annotate(n=Count("id")).values_list("partner_id", "n"))
    mdf = _figures_in_brl("mdf_spent", period, unconverted)
    support = _figures_in_brl("support_cost", period, unconverted)
    signed = dict(Agreement.objects.filter(signed_on__isnull=False, signed_on__lte=period.last_day).order_by()
                  .values("partner_id").annotate(first=Min("signed_on")).values_list("partner_id", "first"))
    first_paid = rollup.first_customer_days(period.last_month, partners=only)

    raw: dict[int, dict[str, Any]] = {}
    for pk in ids:
        this, last = this_revenue.get(pk, Decimal(0)), last_revenue.get(pk, Decimal(0))
        figures = conflicts.get(pk)
        cost = commissions.get(pk, Decimal(0)) + mdf.get(pk, Decimal(0)) + support.get(pk, Decimal(0))
        days = None
        if pk in signed and pk in first_paid:
            days = max((first_paid[pk] - signed[pk]).days, 0)
        growth = percent(this - last, last)
        raw[pk] = {
            "customers_acquired": acquired.get(pk, 0),
            "revenue": this.quantize(CENT, ROUND_HALF_EVEN),
            "arr": arr.get(pk, Decimal("0.00")),
            "revenue_growth": growth,
            "csat": csat[pk][0] if pk in csat else None,
            "nps": satisfaction[pk].quantize(CENT) if pk in satisfaction else None,
            "conflicts": figures.conflicts if figures else 0,
            "disputes_opened": disputes.get(pk, 0),
            "mdf_used": mdf[pk].quantize(CENT, ROUND_HALF_EVEN) if pk in mdf else None,
            "time_to_first_customer": days,
            "conversion": percent(figures.converted, figures.registrations) if figures else None,
            "roi": roi(this, cost),
        }
    return raw, commissions, support, unconverted[0]


def _benchmarks(period: Period, partners: list[Partner], *, every_partner: bool = True) -> Benchmarks:
    raw, commissions, support, unconverted = _raw_figures(period, partners, every_partner=every_partner)
    groups: dict[tuple[str | None, str], list[int]] = defaultdict(list)
    for p in partners:
        groups[(p.tier, p.category)].append(p.pk)
    ranked: dict[tuple[str | None, str], dict[str, Callable[[Decimal | int], Decimal | None]]] = {
        group: {d.key: _ranker([(-1 if d.lower_is_better else 1) * raw[q][d.key] for q in members
                                if raw[q][d.key] is not None]) for d in METRICS}
        for group, members in groups.items()}
    scores = []
    for p in partners:
        peers = groups[(p.tier, p.category)]
        metrics = {}
        for d in METRICS:
            value = raw[p.pk][d.key]
            rank = None if value is None else ranked[(p.tier, p.category)][d.key](
                (-1 if d.lower_is_better else 1) * value)
            metrics[d.key] = Metric(d.key, d.label, d.unit, value, rank)
        scores.append(PartnerScore(p.pk, p.name, p.tier, p.category, metrics, len(peers),
                                   commissions.get(p.pk, Decimal(0)).quantize(CENT, ROUND_HALF_EVEN),
                                   support.get(p.pk, Decimal(0)).quantize(CENT, ROUND_HALF_EVEN)))
    scores.sort(key=lambda s: (s.name.lower(), s.partner_id))
    return Benchmarks(period, scores, unconverted)


def _active_partners(**same: Any) -> list[Partner]:
    return list(Partner.objects.filter(status=PartnerStatus.ACTIVE, **same).only("id", "name", "tier", "category")
                .order_by("name", "id"))


def partner_benchmarks(period: Period) -> list[PartnerScore]:
    """Every active partner's scorecard for `period`, each metric beside its percentile among its peers."""
    return benchmarks_report(period).scores


def benchmarks_report(period: Period) -> Benchmarks:
    """`partner_benchmarks` with the count of amounts left out for want of an FX rate."""
    return _benchmarks(period, _active_partners())


def _score_json(score: PartnerScore) -> dict[str, Any]:
    return {"partner_id": score.partner_id, "name": score.name, "tier": score.tier, "category": score.category,
            "peers": score.peers, "commissions": str(score.commissions), "support_cost": str(score.support_cost),
            "metrics": {k: [None if m.value is None else str(m.value),
                            None if m.percentile is None else str(m.percentile)] for k, m in score.metrics.items()}}


def _score_of(data: dict[str, Any]) -> PartnerScore:
    metrics = {}
    for d in METRICS:
        value, ranked = data["metrics"][d.key]
        number: Decimal | int | None = None if value is None else (
            int(value) if d.unit in ("count", "days") else Decimal(value))
        metrics[d.key] = Metric(d.key, d.label, d.unit, number, None if ranked is None else Decimal(ranked))
    return PartnerScore(data["partner_id"], data["name"], data["tier"], data["category"], metrics, data["peers"],
                        Decimal(data["commissions"]), Decimal(data["support_cost"]))


def _keep(period: Period, version: str, scores: list[PartnerScore]) -> None:
    """Store the peers' scorecards of `period` computed at `version` (a concurrent reader may have stored the same
    ones first: theirs are kept)."""
    with transaction.atomic():
        BenchmarkSnapshot.objects.filter(period=period.key, partner_id__in=[s.partner_id for s in scores]).exclude(
            version=version).delete()
        BenchmarkSnapshot.objects.bulk_create(
            [BenchmarkSnapshot(period=period.key, partner_id=s.partner_id, version=version, score=_score_json(s))
             for s in scores], ignore_conflicts=True)


def partner_scorecard(partner: Partner, period: Period) -> PartnerScore:
    """`partner`'s scorecard for `period` against its peers (the active partners of its tier and category: the
    only ones its percentiles compare it with, so only their figures are read). A partner that is not active has
    no peers: its figures come without percentiles.

    For a period that is over, the scorecards of the whole peer group are kept (`BenchmarkSnapshot`) at the
    analytics' version (`rollup.version`: the roll-up's and the newest audit record's): the next reader of the group
    reads its row until anything they depend on changes."""
    state = rollup.ensure()
    over = state.last_month is not None and period.last_month <= state.last_month
    version = rollup.version(state)
    if over and partner.status == PartnerStatus.ACTIVE:
        kept = BenchmarkSnapshot.objects.filter(period=period.key, partner=partner, version=version).first()
        if kept is not None:
            return _score_of(kept.score)
    peers = _active_partners(tier=partner.tier, category=partner.category)
    if all(p.pk != partner.pk for p in peers):
        peers = [partner]
    report = _benchmarks(period, peers, every_partner=False)
    if over and partner.status == PartnerStatus.ACTIVE:
        _keep(period, version, report.scores)
    return next(s for s in report.scores if s.partner_id == partner.pk)


# --- concentration --------------------------------------------------------------------------------------------


@dataclass
class Share:
    partner_id: int | None  # None: the others together
    name: str
    revenue: Decimal
    share: Decimal  # percent, two places

    @property
    def rate(self) -> Decimal:
        """The share as a fraction (22.80 % → 0.228), as the pages' percent tag takes it."""
        return self.share / 100


@dataclass
class Concentration:
    period: Period
    total: Decimal  # the partners' positive net revenue, R$
    partners: int  # partners with a share
    top: list[Share]  # the TOP largest, largest first
    others: Share | None  # the rest together, if any
    top_share: Decimal | None  # the largest partner's share, percent
    hhi: Decimal | None  # Σ share², 0–10,000
    unconverted: int = 0

    @property
    def top_rate(self) -> Decimal | None:
        return None if self.top_share is None else self.top_share / 100


def concentration(period: Period, *, top: int = TOP) -> Concentration:
    """How concentrated the partners' revenue of `period` is: the top partners' shares, the HHI."""
    revenue = revenue_by_month(period.first_month, period.last_month)
    totals = {p: v for p, v in revenue.partner_totals(period.first_month, period.last_month).items() if v > 0}
    total = sum(totals.values(), Decimal(0))
    names = dict(Partner.objects.filter(pk__in=list(totals)).values_list("id", "name"))
    ranked = sorted(totals.items(), key=lambda item: (-item[1], names.get(item[0], "").lower(), item[0]))

    def share(value: Decimal) -> Decimal:
        return (value * 100 / total).quantize(CENT, ROUND_HALF_UP)

    shares = [Share(p, names.get(p, str(p)), v.quantize(CENT, ROUND_HALF_EVEN), share(v)) for p, v in ranked[:top]]
    rest = sum((v for _, v in ranked[top:]), Decimal(0))
    others = Share(None, "", rest.quantize(CENT, ROUND_HALF_EVEN), share(rest)) if ranked[top:] else None
    hhi = None
    if total > 0:
        with localcontext() as ctx:
            ctx.prec = 60
            hhi = (sum((v * v for v in totals.values()), Decimal(0)) * 10000 / (total * total)).quantize(
                CENT, ROUND_HALF_UP)
    return Concentration(period, total.quantize(CENT, ROUND_HALF_EVEN), len(totals), shares, others,
                         shares[0].share if shares else None, hhi, revenue.unconverted)


def sort_scores(scores: list[PartnerScore], sort: str) -> tuple[list[PartnerScore], str]:
    """`scores` sorted by "name" or a metric key (a leading "-" descending); missing values last either way.
    Answers the sort applied (an unknown key sorts by name)."""
    key = sort.removeprefix("-")
    if key != "name" and key not in METRIC_KEYS:
        sort, key = "name", "name"
    descending = sort.startswith("-")
    if key == "name":
        return sorted(scores, key=lambda s: (s.name.lower(), s.partner_id), reverse=descending), sort
    known = [s for s in scores if s.value(key) is not None]
    missing = [s for s in scores if s.value(key) is None]
    value: Callable[[PartnerScore], Any] = lambda s: (s.value(key), s.name.lower())  # noqa: E731
    return sorted(known, key=value, reverse=descending) + missing, sort


def default_period() -> Period:
    """The last full month (the one before today's, local time)."""
    return Period(add_months(month_start(timezone.localdate()), months=-1), "month")
