"""Channel-conflict reporting (read-only): per month and per partner, how many deals partners brought, how many were
in channel conflict, how fast registrations in review were decided, how many approved ones became customers and
how long that took. The definitions are written once here and in docs/deals.md ("Channel-conflict report").

**A deal** of a month is a deal registration made in that month (`created_at`), or a referral or coupon claim on a
customer made in that month (`AttributionClaim.at`; a deal-registration claim is not counted again: its
registration is the deal).

**A conflict** (`conflict_q`, `conflicts` below) is

* a registration whose conflict check found another party's claim on the company: its stored `conflict` names a
  record (whatever its `kind`: another partner's registration, a customer, an open opportunity of the direct-sales
  pipeline, an exclusivity term, a kind added later) whose `partner_id` is not the registration's own partner
  (a record of no partner, such as a direct customer or an opportunity, is another party). The partner's own
  duplicate (`partner_id` its own) is not a channel conflict. Counted in the registration's month whatever the
  later decision: the check found the claim;
* a losing attribution claim (`customers.attribution.conflicts()`: a claim that does not hold its customer's
  attribution and is not the attributed partner's own), in the month of the claim.

The conflict rate is conflicts ÷ deals, in percent with two places (half up), None without deals; the target is
below `TARGET_RATE` (5 %).

**Time to decision**: for the registrations of the month that went to review (decided by a person: `decided_at`
set, `decided_by_label` not the conflict check's), the median and the 90th percentile (nearest rank) of
`decided_at − created_at`, in hours. Registrations the conflict check decided at once take 0 and are counted
apart (`automatic`). **Conversion**: converted ÷ approved, where approved counts the registrations of the month
that were approved (still approved, converted, or expired after a decision).
**Sales cycle**: for the converted registrations of the month, median and 90th percentile of
`converted_at − created_at`, in days.

Counts are computed in the database (grouped by month and partner); the medians and percentiles in Python over the
durations of one month or one partner.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, IntegerField, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.common.errors import InvalidInput
from parceria.common.months import add_months, month_start, next_month
from parceria.customers.attribution import conflicts as losing_claims
from parceria.customers.models import AttributionClaim, ClaimSource
from parceria.deals.models import DealRegistration, DealStatus
from parceria.deals.services import AUTOMATIC_DECIDER
from parceria.partners.models import Partner

#: The seed's target: fewer than 5 % of deals in channel conflict.
TARGET_RATE = Decimal("5.00")
#: The longest range a report covers.
MAX_MONTHS = 60
#: Months shown when none are asked for (ending with the current month).
DEFAULT_MONTHS = 12

_HOUR = 3600
_DAY = 86400
_CENT = Decimal("0.01")


def conflict_q() -> Q:
    """Registrations in channel conflict (the module docstring): a conflict record whose `partner_id` is not the
    registration's partner. Needs the `conflict_partner` annotation (`with_conflict_partner`)."""
    return Q(conflict__isnull=False) & (Q(conflict_partner__isnull=True) | ~Q(conflict_partner=F("partner_id")))


def with_conflict_partner(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`queryset` of registrations annotated with the partner id named by its stored conflict (NULL without one)."""
    return queryset.annotate(conflict_partner=Cast(KeyTextTransform("partner_id", "conflict"), IntegerField()))


def conflicts(queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The registrations in channel conflict (of `queryset`, default all)."""
    base = queryset if queryset is not None else DealRegistration.objects.all()
    return with_conflict_partner(base).filter(conflict_q())


@dataclass(frozen=True)
class MonthRange:
    first: date
    last: date

    @property
    def months(self) -> list[date]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month)
            month = next_month(month)
        return out

    def bounds(self) -> tuple[datetime, datetime]:
        """The range as aware local times: [first day 00:00, the day after the last month)."""
        zone = timezone.get_current_timezone()
        return (timezone.make_aware(datetime.combine(self.first, time.min), zone),
                timezone.make_aware(datetime.combine(next_month(self.last), time.min), zone))


def month_range(first: date | None, last: date | None, *, today: date | None = None) -> MonthRange:
    """The months from `first` to `last` (first days of months, parsed by common.months.parse_month; `last`
    defaults to the current month, `first` to eleven months before `last`). InvalidInput (422) when `from` is after
    `to` (`invalid`, field `to`) or the range is longer than MAX_MONTHS months (`period_too_long`)."""
    end = month_start(last) if last else month_start(today or timezone.localdate())
    start = month_start(first) if first else add_months(end, months=1 - DEFAULT_MONTHS)
    if start > end:
        raise InvalidInput(_("from (%(first)s) must not be after to (%(last)s).") % {
            "first": start.strftime("%Y-%m"), "last": end.strftime("%Y-%m")}, details={"field": "to"})
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise InvalidInput(_("A report covers at most %(count)d months.") % {"count": MAX_MONTHS},
                           code="period_too_long", details={"field": "from"})
    return MonthRange(start, end)


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(_CENT, ROUND_HALF_UP) if whole else None


def _figure(seconds: float, unit: int) -> Decimal:
    return (Decimal(str(seconds)) / unit).quantize(_CENT, ROUND_HALF_UP)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by nearest rank: the ⌈0.9·n⌉-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass
class Figures:
    """The figures of one month, one partner or the whole range."""

    registrations: int = 0
    claims: int = 0  # referral and coupon claims
    registration_conflicts: int = 0
    claim_conflicts: int = 0
    automatic: int = 0  # decided at once by the conflict check (0 time to decision)
    reviewed: int = 0  # decided by a person after review
    approved: int = 0
    converted: int = 0
    decision_seconds: list[float] = field(default_factory=list)
    cycle_seconds: list[float] = field(default_factory=list)

    @property
    def deals(self) -> int:
        return self.registrations + self.claims

    @property
    def conflicts(self) -> int:
        return self.registration_conflicts + self.claim_conflicts

    @property
    def conflict_rate(self) -> Decimal | None:
        return _percent(self.conflicts, self.deals)

    @property
    def conversion_rate(self) -> Decimal | None:
        return _percent(self.converted, self.approved)

    @property
    def conflict_share(self) -> Decimal | None:
        """The conflict rate as a fraction (5.00 % → 0.05), as the pages' percent tag takes it."""
        rate = self.conflict_rate
        return None if rate is None else rate / 100

    @property
    def conversion_share(self) -> Decimal | None:
        rate = self.conversion_rate
        return None if rate is None else rate / 100

    @property
    def above_target(self) -> bool:
        rate = self.conflict_rate
        return rate is not None and rate >= TARGET_RATE

    def decision_hours(self) -> tuple[Decimal | None, Decimal | None]:
        return _hours_or_days(self.decision_seconds, _HOUR)

    def cycle_days(self) -> tuple[Decimal | None, Decimal | None]:
        return _hours_or_days(self.cycle_seconds, _DAY)

    def add(self, other: Figures) -> None:
        for f in fields(self):
            value = getattr(other, f.name)
            if isinstance(value, list):
                getattr(self, f.name).extend(value)
            else:
                setattr(self, f.name, getattr(self, f.name) + value)


def _hours_or_days(values: Sequence[float], unit: int) -> tuple[Decimal | None, Decimal | None]:
    mid, high = median(values), p90(values)
    return (None if mid is None else _figure(mid, unit), None if high is None else _figure(high, unit))


@dataclass
class PartnerFigures:
    partner_id: int
    name: str
    figures: Figures


@dataclass
class ConflictReport:
    period: MonthRange
    partner_id: int | None
    total: Figures
    months: list[tuple[date, Figures]]
    partners: list[PartnerFigures]
    target_rate: Decimal = TARGET_RATE


def _month(value: datetime | date) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return month_start(value)


def _seconds(value: timedelta | float | int | None) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value or 0) / 1_000_000  # SQLite answers a duration in microseconds


#: Registrations that were approved: still approved, converted, or expired after a decision (a registration in
#: review that expires has no decision; a rejected one never expires).
_APPROVED = Q(status__in=[DealStatus.APPROVED, DealStatus.CONVERTED]) | Q(status=DealStatus.EXPIRED,
                                                                          decided_at__isnull=False)


def _reviewed() -> Q:
    return Q(decided_at__isnull=False) & ~Q(decided_by_label=AUTOMATIC_DECIDER)


def channel_conflict_report(principal: Principal, period: MonthRange, *,
                            partner_id: int | None = None) -> ConflictReport:
    """The report over `period` as `principal` may see it: a partner credential its own partner's figures only
    (another partner's id gives empty figures), staff every partner's, or one partner's with `partner_id`."""
    start, end = period.bounds()
    registrations = partner_owned(principal, DealRegistration.objects.filter(created_at__gte=start,
                                                                             created_at__lt=end))
    claims = partner_owned(principal, AttributionClaim.objects.filter(at__gte=start, at__lt=end))
    if partner_id is not None:
        registrations = registrations.filter(partner_id=partner_id)
        claims = claims.filter(partner_id=partner_id)

    cells: dict[tuple[date, int], Figures] = defaultdict(Figures)
    rows = (with_conflict_partner(registrations).annotate(month=TruncMonth("created_at")).order_by()
            .values("month", "partner_id").annotate(
                registrations=Count("id"), registration_conflicts=Count("id", filter=conflict_q()),
                automatic=Count("id", filter=Q(decided_by_label=AUTOMATIC_DECIDER)),
                reviewed=Count("id", filter=_reviewed()),
                approved=Count("id", filter=_APPROVED),
                converted=Count("id", filter=Q(status=DealStatus.CONVERTED))))
    for row in rows:
        cell = cells[(_month(row["month"]), row["partner_id"])]
        for name in ("registrations", "registration_conflicts", "automatic", "reviewed", "approved", "converted"):
            setattr(cell, name, row[name])
    claim_rows = (claims.annotate(month=TruncMonth("at")).order_by().values("month", "partner_id").annotate(
        claims=Count("id", filter=~Q(source=ClaimSource.DEAL)),
        claim_conflicts=Count("id", filter=Q(pk__in=losing_claims().values("pk")))))
    for row in claim_rows:
        cell = cells[(_month(row["month"]), row["partner_id"])]
        cell.claims, cell.claim_conflicts = row["claims"], row["claim_conflicts"]
    durations = (registrations.filter(_reviewed()).annotate(
        took=ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField()))
        .values_list("created_at", "partner_id", "took"))
    for created, partner, took in durations:
        cells[(_month(created), partner)].decision_seconds.append(_seconds(took))
    cycles = (registrations.filter(status=DealStatus.CONVERTED, converted_at__isnull=False).annotate(
        took=ExpressionWrapper(F("converted_at") - F("created_at"), output_field=DurationField()))
        .values_list("created_at", "partner_id", "took"))
    for created, partner, took in cycles:
        cells[(_month(created), partner)].cycle_seconds.append(_seconds(took))

    total, by_month = Figures(), {m: Figures() for m in period.months}
    by_partner: dict[int, Figures] = defaultdict(Figures)
    for (month, partner), cell in cells.items():
        total.add(cell)
        if month in by_month:
            by_month[month].add(cell)
        by_partner[partner].add(cell)
    names = dict(Partner.objects.filter(pk__in=list(by_partner)).values_list("id", "name"))
    partners = sorted((PartnerFigures(pk, names.get(pk, str(pk)), figures) for pk, figures in by_partner.items()),
                      key=lambda p: (-p.figures.conflicts, p.name.lower(), p.partner_id))
    return ConflictReport(period=period, partner_id=partner_id, total=total,
                          months=sorted(by_month.items()), partners=partners)


def figures_out(figures: Figures) -> dict[str, Any]:
    """The figures as the API and the exports give them (decimal strings for rates and durations, None where there
    is nothing to divide or measure)."""
    decision_median, decision_p90 = figures.decision_hours()
    cycle_median, cycle_p90 = figures.cycle_days()
    return {
        "registrations": figures.registrations, "attribution_claims": figures.claims, "deals": figures.deals,
        "registration_conflicts": figures.registration_conflicts, "claim_conflicts": figures.claim_conflicts,
        "conflicts": figures.conflicts, "conflict_rate": _text(figures.conflict_rate),
        "decided_automatically": figures.automatic, "decided_after_review": figures.reviewed,
        "time_to_decision_median_hours": _text(decision_median), "time_to_decision_p90_hours": _text(decision_p90),
        "approved": figures.approved, "converted": figures.converted,
        "conversion_rate": _text(figures.conversion_rate),
        "sales_cycle_median_days": _text(cycle_median), "sales_cycle_p90_days": _text(cycle_p90),
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def report_out(report: ConflictReport) -> dict[str, Any]:
    return {
        "from": report.period.first.strftime("%Y-%m"), "to": report.period.last.strftime("%Y-%m"),
        "partner_id": report.partner_id, "target_rate": str(report.target_rate),
        "total": figures_out(report.total),
        "months": [{"month": month.strftime("%Y-%m"), **figures_out(f)} for month, f in report.months],
        "partners": [{"partner_id": p.partner_id, "name": p.name, **figures_out(p.figures)}
                     for p in report.partners],
    }


def chart_data(report: ConflictReport) -> dict[str, Iterable[Any]]:
    """The monthly conflict rate for the page's chart (months without deals: null)."""
    return {"labels": [m.strftime("%Y-%m") for m, _f in report.months],
            "rates": [_text(f.conflict_rate) for _m, f in report.months], "target": str(TARGET_RATE)}
