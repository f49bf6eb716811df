"""The program's KPIs (seed §3.2, SPEC §12.1): ONE registry, `KPIS`, of what each is, its target and how it is
computed. Every page, export, API answer, phase criterion and the docs' table read it.

A KPI is computed for a `Period` (a month or a quarter) from a `ScorecardFacts`: the facts of a range of months
loaded once (`load_facts`) from the monthly roll-up — a fixed number of queries whatever the number of partners,
customers, periods or KPIs. Money is R$ through `analytics.monthly` (revenue, ARR, new customers, commissions: never
redefined here). A KPI whose data is missing
answers no value and names what to import (`Reading.missing`, keys of `analytics.inputs.INPUTS`); it never makes a
number up.

The monthly facts this module adds, each set-based:

* revenue, new customers, paying customers, churn, the twelve-month retention and commissions of a month are
  `analytics.monthly`'s (kept by `analytics.rollup`), summed per month for the partners' and the direct customers;
* **program figures** (`analytics.models.ProgramFigure`) of the months, money converted to R$ at the rate of the
  month's last day.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any, Literal, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parceria.accounts.models import ApiKeyScope
from parceria.accounts.tenancy import Principal
from parceria.agreements.models import Agreement, AgreementStatus
from parceria.analytics import rollup
from parceria.analytics.models import ProgramFigure
from parceria.analytics.monthly import in_brl
from parceria.analytics.periods import Period
from parceria.analytics.satisfaction import partner_satisfaction
from parceria.common.dbsum import exact_sums_and
from parceria.common.months import add_months, month_end, month_start
from parceria.deals.reporting import Figures, MonthRange, channel_conflict_report
from parceria.marketing import selectors as marketing_selectors
from parceria.partners.models import Partner

Unit = Literal["percent", "money", "count", "ratio", "days", "score"]
Direction = Literal[">=", "<=", ">", "<"]

_CENT = Decimal("0.01")
#: How far before the first period the facts reach (a 12-month retention, growth over the previous period).
LOOKBACK_MONTHS = 12


def _two(value: Decimal) -> Decimal:
    return value.quantize(_CENT, ROUND_HALF_UP)


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    return _two(Decimal(part) * 100 / Decimal(whole))


# --- The facts of a range of months, loaded once -----------------------------------------------------------------


@dataclass
class Channel:
    """The facts of one month summed over the partners' customers ("partner") or the direct ones ("direct")."""

    revenue: Decimal = Decimal(0)
    arr: Decimal = Decimal(0)  # Σ of each partner's ARR (12 × revenue, to the cent)
    new: int = 0
    paying: int = 0
    churned: int = 0
    retained: int = 0  # customers new twelve months before that paid in the month
    first_value: Decimal = Decimal(0)  # Σ of the new customers' first invoices in R$ (those converted)
    first_known: int = 0
    commissions: Decimal = Decimal(0)


@dataclass
class ScorecardFacts:
    """Everything the KPIs read for the months from `first` to `last` (first days of months), summed per month."""

    first: date
    last: date
    channels: dict[tuple[date, str], Channel]  # (month, "partner" | "direct") → its facts
    partner_revenue: dict[date, dict[int, Decimal]]  # month → partner → net revenue in R$
    acquiring: dict[date, int]  # month → partners with a new customer in it
    first_customer: dict[int, date]  # partner → the local day its first customer first paid (all time)
    unconverted: int  # amounts of revenue and commissions left out for want of an FX rate
    figures: dict[tuple[str, date, int | None], Decimal]  # (key, month, None) → the program's value (money in R$)
    unconverted_figures: int
    satisfaction: dict[date, dict[int, Decimal]]  # month → partner → its `partner_satisfaction` answer
    activities: dict[date, Decimal]  # month → Σ of the partners' `joint_marketing_activities`
    conflicts: dict[date, Figures]
    partner_signed: dict[int, date]  # partner → the day its first agreement was signed
    memberships: dict[int, list[tuple[date, date | None]]]  # partner → [(from, until)] of its agreements
    countries: dict[int, str]

    def months_of(self, period: Period) -> list[date]:
        return period.month_list()

    def channel(self, month: date, channel: str) -> Channel:
        return self.channels.get((month, channel)) or Channel()

    def total(self, months: list[date], name: str, *, channel: str = "partner") -> Any:
        """`name` (a field of Channel) summed over `months` for `channel`."""
        values = [getattr(self.channel(m, channel), name) for m in months]
        return sum(values[1:], values[0]) if values else 0

    def new_count(self, months: list[date], *, channel: str) -> int:
        return int(self.total(months, "new", channel=channel))

    def revenue_sum(self, months: list[date], *, channel: str = "partner") -> Decimal:
        return Decimal(self.total(months, "revenue", channel=channel))

    def commission_sum(self, months: list[date]) -> Decimal:
        return Decimal(self.total(months, "commissions"))

    def partner_totals(self, months: list[date]) -> dict[int, Decimal]:
        """Each partner's net revenue over `months`."""
        out: dict[int, Decimal] = defaultdict(Decimal)
        for month in months:
            for partner, value in self.partner_revenue.get(month, {}).items():
                out[partner] += value
        return dict(out)

    def figure(self, key: str, month: date, partner: int | None = None) -> Decimal | None:
        return self.figures.get((key, month, partner))

    def in_program(self, partner: int, day: date) -> bool:
        """Whether the partner had an agreement in force on `day` (signed on or before it, not yet ended)."""
        spans = self.memberships.get(partner, ())
        return any(start <= day and (until is None or day < until) for start, until in spans)


def _figures(first: date, last: date) -> tuple[dict[tuple[str, date, int | None], Decimal], int]:
    """The figures of the whole program (not of one partner) of the months, money in R$ at the rate of each
    month's last day."""
    rows = ProgramFigure.objects.filter(month__gte=first, month__lte=last, partner__isnull=True).values_list(
        "key", "month", "value", "currency")
    out: dict[tuple[str, date, int | None], Decimal] = {}
    unconverted = 0
    for (key, month), value in in_brl(((k, m), c or "BRL", month_end(m), v) for k, m, v, c in rows):
        if value is None:
            unconverted += 1
        else:
            out[(key, month, None)] = value
    return out, unconverted


def _satisfaction(first: date, last: date) -> dict[date, dict[int, Decimal]]:
    return partner_satisfaction(first, last)


def _activities(first: date, last: date) -> dict[date, Decimal]:
    """Σ of the partners' joint marketing activities per month, for the months that have any answer (a count:
    no currency). The activities recorded in the product (marketing's done ones, by the month of their date) are
    the source; a partner's imported `joint_marketing_activities` figure counts only for a month in which that
    partner has no recorded activity at all (docs/analytics.md)."""
    recorded = marketing_selectors.activities_per_month(first, last)
    months: dict[date, Decimal] = defaultdict(Decimal)
    for (_partner, month), done in recorded.items():
        months[month] += done
    rows = ProgramFigure.objects.filter(key="joint_marketing_activities", month__gte=first, month__lte=last,
                                        partner__isnull=False)
    for (partner, month), total, _n in exact_sums_and(rows, "value", ("partner_id", "month")):
        if (partner, month) not in recorded:
            months[cast(date, month)] += total
    return dict(months)


def _agreements() -> tuple[dict[int, date], dict[int, list[tuple[date, date | None]]]]:
    """Each partner's first signature and the spans its signed agreements were in force: from `signed_on` to
    `terminated_on`, or the fixed `end_date`, or (expired without either) the day it was last changed."""
    signed: dict[int, date] = {}
    spans: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    rows = (Agreement.objects.filter(signed_on__isnull=False).exclude(status=AgreementStatus.DRAFT)
            .values_list("partner_id", "signed_on", "terminated_on", "end_date", "status", "updated_at"))
    for partner, on, terminated, end, status, updated in rows:
        on = cast(date, on)
        signed[partner] = min(on, signed.get(partner, on))
        until = terminated or end or (timezone.localtime(updated).date() if status == AgreementStatus.EXPIRED
                                      else None)
        spans[partner].append((on, until))
    return signed, dict(spans)


def load_facts(first: date, last: date) -> ScorecardFacts:
    """The facts of the months from `first`'s to `last`'s, reaching LOOKBACK_MONTHS further back: the monthly
    roll-up summed per month and channel by the database (`analytics.rollup.month_totals`)."""
    start, last = add_months(month_start(first), months=-LOOKBACK_MONTHS), month_start(last)
    totals = rollup.month_totals(start, last)
    channels: dict[tuple[date, str], Channel] = {}
    unconverted = 0
    for (month, channel), cell in totals.channels.items():
        unconverted += cell.revenue_unconverted + cell.commissions_unconverted
        arr = (sum((v * 12).quantize(_CENT, ROUND_HALF_EVEN) for v in totals.partner_revenue.get(month, {}).values())
               if channel == "partner" else (cell.revenue * 12).quantize(_CENT, ROUND_HALF_EVEN))
        channels[(month, channel)] = Channel(
            revenue=cell.revenue, arr=Decimal(arr), new=cell.new_customers, paying=cell.paying_customers,
            churned=cell.churned, retained=cell.retained_12m, first_value=cell.first_value,
            first_known=cell.first_known, commissions=cell.commissions)
    figures, unconverted_figures = _figures(start, last)
    staff = Principal(scope=ApiKeyScope.ADMIN, label="analytics")
    report = channel_conflict_report(staff, MonthRange(start, last))
    signed, spans = _agreements()
    return ScorecardFacts(
        first=start, last=last, channels=channels, partner_revenue=totals.partner_revenue, acquiring=totals.acquiring,
        first_customer=rollup.first_customer_days(last), unconverted=unconverted,
        figures=figures, unconverted_figures=unconverted_figures, satisfaction=_satisfaction(start, last),
        activities=_activities(start, last), conflicts=dict(report.months),
        partner_signed=signed, memberships=spans,
        countries=dict(Partner.objects.values_list("pk", "country")))


# --- Readings ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """A KPI's value for a period, or None with what to import (`missing`: INPUTS keys) or why (`note`).
    `comparison`: the direct channel's figure where the target compares with it."""

    value: Decimal | None
    missing: tuple[str, ...] = ()
    note: object = ""
    comparison: Decimal | None = None


def _none(*missing: str, note: object = "") -> Reading:
    return Reading(None, tuple(missing), note)


def _figure_total(f: ScorecardFacts, key: str, months: list[date]) -> Decimal | None:
    """The program figure summed over the months, None unless every month has it."""
    values = [f.figure(key, m) for m in months]
    return None if any(v is None for v in values) else sum(cast(list[Decimal], values), Decimal(0))


def _figure_mean(f: ScorecardFacts, key: str, months: list[date]) -> Decimal | None:
    values = [v for m in months if (v := f.figure(key, m)) is not None]
    return sum(values, Decimal(0)) / len(values) if values else None


def _direct_new(f: ScorecardFacts, months: list[date]) -> int:
    """Direct new customers: the imported `direct_new_customers` of a month when there is one, else the count of new
    customers without a partner."""
    total = 0
    for month in months:
        imported = f.figure("direct_new_customers", month)
        total += int(imported) if imported is not None else f.new_count([month], channel="direct")
    return total


def new_customer_share(f: ScorecardFacts, p: Period) -> Reading:
    months = p.month_list()
    partner, direct = f.new_count(months, channel="partner"), _direct_new(f, months)
    if partner + direct == 0:
        return _none("direct_new_customers", note=_("no new customer in the period"))
    return Reading(_percent(partner, partner + direct))


def _churn_lifetime(f: ScorecardFacts, p: Period, *, direct: bool) -> tuple[Decimal, Decimal] | None:
    """(average monthly revenue per paying customer, lifetime in months) over the 12 months ending with the
    period, or None without paying customers or without churn (the lifetime is then unknown)."""
    months = [add_months(p.last_month, months=-i) for i in range(12)]
    channel = "direct" if direct else "partner"
    customer_months = int(f.total(months, "paying", channel=channel))
    churned = int(f.total(months, "churned", channel=channel))
    if customer_months == 0 or churned == 0:
        return None
    revenue = f.revenue_sum(months, channel=channel)
    return revenue / customer_months, Decimal(customer_months) / churned


def partner_ltv(f: ScorecardFacts, p: Period) -> Decimal | None:
    found = _churn_lifetime(f, p, direct=False)
    return None if found is None else _two(found[0] * found[1])


def ltv_vs_direct(f: ScorecardFacts, p: Period) -> Reading:
    direct = _figure_mean(f, "direct_ltv", p.month_list())
    ltv = partner_ltv(f, p)
    if ltv is None:
        return _none(*(() if direct else ("direct_ltv",)),
                     note=_("no partner customer churned in the last 12 months: their lifetime is not known yet"))
    if not direct:
        return _none("direct_ltv")
    return Reading(_percent(ltv - direct, direct), comparison=_two(direct))


def _retention(f: ScorecardFacts, p: Period, *, direct: bool) -> tuple[int, int]:
    """(cohort, retained): the customers new twelve months before each month of the period, and those of them
    that paid an invoice in that month (a quarter sums its three months)."""
    channel = "direct" if direct else "partner"
    cohort = f.new_count([add_months(m, months=-12) for m in p.month_list()], channel=channel)
    return cohort, int(f.total(p.month_list(), "retained", channel=channel))


def retention_12m(f: ScorecardFacts, p: Period) -> Reading:
    cohort, retained = _retention(f, p, direct=False)
    direct_cohort, direct_retained = _retention(f, p, direct=True)
    imported = _figure_mean(f, "direct_retention_12m", p.month_list())
    comparison = _two(imported) if imported is not None else (
        _percent(direct_retained, direct_cohort) if direct_cohort else None)
    if cohort == 0:
        return Reading(None, (), _("no partner customer started 12 months before the period"), comparison)
    return Reading(_percent(retained, cohort), comparison=comparison)


def partner_cac(f: ScorecardFacts, p: Period) -> Reading:
    """(commissions of the period + partner_program_cost) ÷ partner new customers, in R$."""
    months = p.month_list()
    cost = _figure_total(f, "partner_program_cost", months)
    new = f.new_count(months, channel="partner")
    if cost is None:
        return _none("partner_program_cost")
    if new == 0:
        return _none(note=_("no new partner customer in the period"))
    return Reading(_two((f.commission_sum(months) + cost) / new))


def cac_vs_direct(f: ScorecardFacts, p: Period) -> Reading:
    cac = partner_cac(f, p)
    direct = _figure_mean(f, "direct_cac", p.month_list())
    missing = cac.missing + (() if direct else ("direct_cac",))
    if cac.value is None or not direct:
        return Reading(None, missing, cac.note)
    return Reading(_percent(cac.value - direct, direct), comparison=_two(direct))


def partner_arr(f: ScorecardFacts, p: Period) -> Reading:
    """The partner channel's ARR in the period's last month."""
    return Reading(f.channel(p.last_month, "partner").arr)


def partner_deal_size(f: ScorecardFacts, p: Period) -> Decimal | None:
    """The average first-year value (12 × the first invoice, R$) of the partner customers new in the period (those
    whose first invoice converts to R$)."""
    known = int(f.total(p.month_list(), "first_known"))
    return _two(Decimal(f.total(p.month_list(), "first_value")) * 12 / known) if known else None


def deal_size_ratio(f: ScorecardFacts, p: Period) -> Reading:
    size = partner_deal_size(f, p)
    direct = _figure_mean(f, "direct_deal_size", p.month_list())
    if size is None:
        return _none(*(() if direct else ("direct_deal_size",)), note=_("no new partner customer in the period"))
    if not direct:
        return _none("direct_deal_size")
    return Reading(_two(size / direct), comparison=_two(direct))


def revenue_growth(f: ScorecardFacts, p: Period) -> Reading:
    now, before = f.revenue_sum(p.month_list()), f.revenue_sum(p.shift(-1).month_list())
    if before <= 0:
        return _none(note=_("no partner revenue in the previous period"))
    return Reading(_percent(now - before, before))


def commission_share(f: ScorecardFacts, p: Period) -> Reading:
    months = p.month_list()
    revenue = f.revenue_sum(months)
    if revenue <= 0:
        return _none(note=_("no partner revenue in the period"))
    return Reading(_percent(f.commission_sum(months), revenue))


def active_partners_in(f: ScorecardFacts, month: date) -> int:
    return f.acquiring.get(month, 0)


def active_partners(f: ScorecardFacts, p: Period) -> Reading:
    """Partners with a new customer in the month; for a quarter, the fewest of its three months (20+ active every
    month of the quarter)."""
    return Reading(Decimal(min(active_partners_in(f, m) for m in p.month_list())))


def partner_nps(f: ScorecardFacts, p: Period) -> Reading:
    """The mean over partners of each partner's last satisfaction (1–5) in the period: its survey answers, else the
    imported `partner_satisfaction` figure (analytics.satisfaction)."""
    answers: dict[int, Decimal] = {}
    for month in sorted(p.month_list()):
        answers.update(f.satisfaction.get(month, {}))  # a later month's answer replaces an earlier one
    if not answers:
        return _none("partner_satisfaction")
    return Reading(_two(sum(answers.values(), Decimal(0)) / len(answers)))


def partner_retention(f: ScorecardFacts, p: Period) -> Reading:
    """Partners in the program (an agreement in force) on the day before the period a year earlier that still
    are on the period's last day."""
    before = add_months(p.first_day, months=-12)
    base = [partner for partner in f.memberships if f.in_program(partner, before)]
    if not base:
        return _none(note=_("no partner had an agreement in force a year before"))
    kept = sum(1 for partner in base if f.in_program(partner, p.last_day))
    return Reading(_percent(kept, len(base)))


def joint_marketing(f: ScorecardFacts, p: Period) -> Reading:
    """Joint marketing activities in the period per partner in the program on its last day, per quarter (a
    month's count × 3)."""
    answered = [f.activities[m] for m in p.month_list() if m in f.activities]
    if not answered:
        return _none("joint_marketing_activities")
    partners = [partner for partner in f.memberships if f.in_program(partner, p.last_day)]
    if not partners:
        return _none(note=_("no partner had an agreement in force on the period's last day"))
    return Reading(_two(sum(answered, Decimal(0)) * 3 / p.months / len(partners)))


def concentration(f: ScorecardFacts, p: Period) -> Reading:
    totals = f.partner_totals(p.month_list())
    whole = sum(totals.values(), Decimal(0))
    if whole <= 0:
        return _none(note=_("no partner revenue in the period"))
    return Reading(_percent(max(totals.values()), whole))


def _conflict_figures(f: ScorecardFacts, p: Period) -> Figures:
    total = Figures()
    for month in p.month_list():
        if month in f.conflicts:
            total.add(f.conflicts[month])
    return total


def channel_conflict(f: ScorecardFacts, p: Period) -> Reading:
    rate = _conflict_figures(f, p).conflict_rate
    return Reading(rate) if rate is not None else _none(note=_("no deal in the period"))


def time_to_value(f: ScorecardFacts, p: Period) -> Reading:
    """The median days from a partner's first signed agreement to its first customer's first paid invoice, over
    the partners whose first customer came in the period."""
    days = [(day - f.partner_signed[partner]).days for partner, day in f.first_customer.items()
            if p.contains(day) and partner in f.partner_signed]
    if not days:
        return _none(note=_("no partner with a signed agreement won its first customer in the period"))
    return Reading(_two(Decimal(str(statistics.median(days)))))


def sales_cycle(f: ScorecardFacts, p: Period) -> Reading:
    days = _conflict_figures(f, p).cycle_days()[0]
    return Reading(days) if days is not None else _none(note=_("no registration converted in the period"))


def lead_conversion(f: ScorecardFacts, p: Period) -> Reading:
    rate = _conflict_figures(f, p).conversion_rate
    return Reading(rate) if rate is not None else _none(note=_("no registration approved in the period"))


def international_revenue(f: ScorecardFacts, p: Period) -> Reading:
    """Partner revenue in R$ from partners outside Brazil in the period (a phase criterion)."""
    totals = f.partner_totals(p.month_list())
    return Reading(sum((v for partner, v in totals.items() if f.countries.get(partner, "BR") != "BR"), Decimal(0)))


# --- The registry --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    key: str
    label: object  # lazy translations
    unit: Unit
    target: Decimal | None
    direction: Direction | None
    definition: object
    compute: Callable[[ScorecardFacts, Period], Reading] = field(repr=False)
    target_note: object = ""
    comparison_unit: Unit | None = None  # the unit of the direct channel's figure beside the value

    def met(self, value: Decimal | None) -> bool | None:
        return target_met(value, self.target, self.direction)

    @property
    def sign(self) -> str:
        """The direction as shown beside the target (≥, ≤, >, <)."""
        return {">=": "≥", "<=": "≤", ">": ">", "<": "<"}.get(self.direction or "", "")


def target_met(value: Decimal | None, target: Decimal | None, direction: Direction | None) -> bool | None:
    if value is None or target is None or direction is None:
        return None
    return {">=": value >= target, "<=": value <= target, ">": value > target, "<": value < target}[direction]


_D = Decimal
KPIS: dict[str, Kpi] = {k.key: k for k in [
    Kpi("new_customer_share", _("New customers via partners"), "percent", _D(40), ">=",
        _("Partner new customers ÷ all new customers of the period, in %. A new customer is one whose first invoice "
          "was paid in the period (local time); it counts for its attributed partner, or as direct without one. "
          "Direct new customers of a month are the imported direct_new_customers when there is one."),
        new_customer_share),
    Kpi("ltv_vs_direct", _("Partner customers' LTV vs direct"), "percent", _D(20), ">=",
        _("(Partner LTV ÷ direct_ltv − 1), in %. Partner LTV = average monthly net revenue per paying partner "
          "customer over the 12 months ending with the period × their lifetime in months (partner customer-months "
          "÷ partner customers that churned in those 12 months). direct_ltv is imported (its mean over the period)."),
        ltv_vs_direct, comparison_unit="money"),
    Kpi("retention_12m", _("12-month retention of partner customers"), "percent", _D(90), ">=",
        _("Of the partner customers new in a month, the share that paid an invoice in the same month a year later, "
          "summed over the period's months, in %. Beside it, direct customers' retention: the imported "
          "direct_retention_12m, or the same count over direct customers (seed: 85 %)."),
        retention_12m, comparison_unit="percent"),
    Kpi("cac_vs_direct", _("Partner CAC vs direct"), "percent", _D(-50), "<=",
        _("(Partner CAC ÷ direct_cac − 1), in %. Partner CAC = (commissions of the period, R$, from the ledger + the "
          "imported partner_program_cost of every month) ÷ partner new customers of the period."),
        cac_vs_direct, comparison_unit="money"),
    Kpi("partner_arr", _("Partner channel ARR"), "money", _D(2_000_000), ">=",
        _("12 × the partner channel's net revenue (R$) of the period's last month. Target: R$ 2M by the end of "
          "year 2."),
        partner_arr, _("by the end of year 2")),
    Kpi("deal_size_ratio", _("Partner deal size vs direct"), "ratio", _D("2.5"), ">=",
        _("Partner average deal size ÷ direct_deal_size. Partner deal size = the mean first-year value (12 × the "
          "first invoice, R$) of the partner customers new in the period."),
        deal_size_ratio, comparison_unit="money"),
    Kpi("revenue_growth", _("Partner revenue growth"), "percent", _D(25), ">=",
        _("Partner net revenue (R$) of the period ÷ that of the previous period − 1, in % (month over month, or "
          "quarter over quarter)."),
        revenue_growth),
    Kpi("commission_share", _("Commissions as a share of partner revenue"), "percent", _D(15), "<",
        _("Commissions of the period (the ledger's accruals, clawbacks and adjustments by accounting month, "
          "converted to R$ at the rate of the event's day) ÷ partner net revenue of the period, in %."),
        commission_share),
    Kpi("active_partners", _("Active partners"), "count", _D(20), ">=",
        _("Partners with at least one new customer in the month. For a quarter: the fewest of its three months "
          "(the target is 20+ every month)."),
        active_partners),
    Kpi("partner_nps", _("Partner satisfaction (NPS, 1–5)"), "score", _D("4.2"), ">",
        _("The mean over partners of each partner's latest satisfaction (1–5) in the period: its survey answers, "
          "else the imported partner_satisfaction figure."),
        partner_nps),
    Kpi("partner_retention", _("Partner retention (annual)"), "percent", _D(80), ">",
        _("Of the partners with an agreement in force on the period's first day a year earlier, the share that "
          "still has one on the period's last day, in %. An agreement is in force from its signature to its "
          "termination or end."),
        partner_retention),
    Kpi("joint_marketing", _("Joint marketing activities per partner per quarter"), "ratio", _D(2), ">=",
        _("The joint marketing activities done in the period (recorded in Co-marketing; a partner's imported "
          "joint_marketing_activities only for a month with none recorded) ÷ partners with an agreement in force "
          "on its last day, scaled to a quarter (a month's figure × 3)."),
        joint_marketing),
    Kpi("concentration", _("Revenue from the top partner"), "percent", _D(30), "<",
        _("The largest partner's share of the partner channel's net revenue of the period, in %."),
        concentration),
    Kpi("channel_conflict", _("Deals in channel conflict"), "percent", _D(5), "<",
        _("The channel-conflict report's rate (deals.reporting): conflicts ÷ deals registered or claimed in the "
          "period, in %."),
        channel_conflict),
    Kpi("time_to_value", _("Time to value (days)"), "days", _D(90), "<",
        _("The median number of days from a partner's first signed agreement to the first paid invoice of its "
          "first customer, over the partners whose first customer came in the period."),
        time_to_value),
    Kpi("sales_cycle", _("Sales cycle (days)"), "days", None, None,
        _("The median days from registration to conversion of the deal registrations of the period that became "
          "customers (deals.reporting). No target in the seed."),
        sales_cycle),
    Kpi("lead_conversion", _("Lead conversion"), "percent", None, None,
        _("Registrations converted to customers ÷ registrations approved, of the period, in % (deals.reporting). "
          "No target in the seed."),
        lead_conversion),
]}
