"""The risk list (docs/analytics.md, "The risk list"): partners that may be slipping away, each with a score and the
reasons behind it, every reason with its evidence and a link to it.

A partner is judged while it is active or suspended (a terminated partner is gone already). Each reason is a rule
over a window ending on the day `on` (included, local time); the score is the sum of the weights of the reasons
found (settings.PARCERIA["ANALYTICS_RISK_WEIGHTS"]), at most 100:

* ``falling_referrals`` — the partner's monthly referrals (its new customers, `analytics.facts`, plus its
  attribution claims that did not win) over the 12 full months before `on`'s month, from its first month with any,
  at least 6 months of them, fall by the Mann-Kendall trend test: S < 0 with a one-sided p-value under MAX_P. A rank
  test on every pair of months, so one bad month is not a trend.
* ``csat_drop`` — the mean CSAT score of the partner's customers in the 90 days up to `on` is at least MIN_DROP
  points under the mean of the 90 days before, with at least MIN_SCORES scores in each window.
* ``no_new_customer`` — a partner that has had customers has had no new one (a customer's first paid invoice) for
  60 days or more.
* ``agreement_ending`` — an active agreement's term ends within 60 days and it does not renew (no automatic renewal,
  and no later agreement of the same type that runs past its end); or notice was given: the platform records a
  termination on its day, so an agreement terminated in the last 60 days while the partner is still in the program.
* ``dispute_spike`` — disputes opened in the last 30 days are at least MIN and at least FACTOR × the partner's own
  baseline, the mean per 30 days over the 180 days before them.
* ``refund_rate`` — the attribution safeguard's refund-rate rule (`safeguards.detection.refund_rates`), as it is.

Set-based: one query per rule over every partner, whatever their number (the refund-rate rule adds one per
partner it flags, to list the refunded invoices).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from parceria.agreements.dates import current_term_end
from parceria.agreements.models import Agreement, AgreementStatus, AgreementType
from parceria.analytics.facts import months, new_customers_by_month
from parceria.analytics.monthly import first_invoices
from parceria.analytics.rollup import new_customers_before
from parceria.common.months import add_months, month_start
from parceria.customers.models import AttributionClaim, CsatScore
from parceria.disputes.models import Dispute
from parceria.partners.models import Partner, PartnerStatus
from parceria.safeguards.detection import Thresholds, refund_rates

FALLING_REFERRALS = "falling_referrals"
CSAT_DROP = "csat_drop"
NO_NEW_CUSTOMER = "no_new_customer"
AGREEMENT_ENDING = "agreement_ending"
DISPUTE_SPIKE = "dispute_spike"
REFUND_RATE = "refund_rate"
REASONS = (FALLING_REFERRALS, CSAT_DROP, NO_NEW_CUSTOMER, AGREEMENT_ENDING, DISPUTE_SPIKE, REFUND_RATE)

#: The weight of each reason when settings do not say (they sum to 100).
DEFAULT_WEIGHTS = {FALLING_REFERRALS: 25, CSAT_DROP: 15, NO_NEW_CUSTOMER: 15, AGREEMENT_ENDING: 20,
                   DISPUTE_SPIKE: 10, REFUND_RATE: 15}
MAX_SCORE = 100
#: The partners the list judges (by a join, never a list of ids: the queries stay the same size at any scale).
JUDGED = (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED)
CENT = Decimal("0.01")


def reason_label(key: str) -> str:
    """A reason's name, translated."""
    return {FALLING_REFERRALS: _("Falling referrals"), CSAT_DROP: _("CSAT drop"),
            NO_NEW_CUSTOMER: _("No new customer"), AGREEMENT_ENDING: _("Agreement ending"),
            DISPUTE_SPIKE: _("Dispute spike"), REFUND_RATE: _("Refund rate above peers")}.get(key, key)


@dataclass(frozen=True)
class RiskRules:
    """The windows, thresholds and weights of the rules (settings.PARCERIA["ANALYTICS_RISK"] and
    ["ANALYTICS_RISK_WEIGHTS"]), read once per list."""

    trend_months: int = 12
    trend_min_months: int = 6
    trend_max_p: Decimal = Decimal("0.05")
    csat_window_days: int = 90
    csat_min_scores: int = 5
    csat_min_drop: Decimal = Decimal("0.5")
    quiet_days: int = 60
    agreement_days: int = 60
    dispute_window_days: int = 30
    dispute_baseline_windows: int = 6
    dispute_min: int = 3
    dispute_factor: Decimal = Decimal(3)
    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @classmethod
    def from_settings(cls) -> RiskRules:
        product: dict[str, Any] = getattr(settings, "PARCERIA", {})
        conf: dict[str, Any] = dict(product.get("ANALYTICS_RISK", {}))
        weights = {**DEFAULT_WEIGHTS, **{k: int(v) for k, v in product.get("ANALYTICS_RISK_WEIGHTS", {}).items()
                                         if k in DEFAULT_WEIGHTS}}
        if any(w < 0 for w in weights.values()):
            raise ValueError("ANALYTICS_RISK_WEIGHTS must not be negative")
        d = cls()
        return cls(
            trend_months=int(conf.get("TREND_MONTHS", d.trend_months)),
            trend_min_months=int(conf.get("TREND_MIN_MONTHS", d.trend_min_months)),
            trend_max_p=Decimal(str(conf.get("TREND_MAX_P", d.trend_max_p))),
            csat_window_days=int(conf.get("CSAT_WINDOW_DAYS", d.csat_window_days)),
            csat_min_scores=int(conf.get("CSAT_MIN_SCORES", d.csat_min_scores)),
            csat_min_drop=Decimal(str(conf.get("CSAT_MIN_DROP", d.csat_min_drop))),
            quiet_days=int(conf.get("QUIET_DAYS", d.quiet_days)),
            agreement_days=int(conf.get("AGREEMENT_DAYS", d.agreement_days)),
            dispute_window_days=int(conf.get("DISPUTE_WINDOW_DAYS", d.dispute_window_days)),
            dispute_baseline_windows=int(conf.get("DISPUTE_BASELINE_WINDOWS", d.dispute_baseline_windows)),
            dispute_min=int(conf.get("DISPUTE_MIN", d.dispute_min)),
            dispute_factor=Decimal(str(conf.get("DISPUTE_FACTOR", d.dispute_factor))),
            weights=weights,
        )


@dataclass(frozen=True)
class RiskReason:
    key: str
    weight: int
    evidence: dict[str, Any]
    url: str

    @property
    def label(self) -> str:
        return reason_label(self.key)

    @property
    def text(self) -> str:
        """The reason as a sentence in the active language."""
        return reason_sentence(self.key, self.evidence)


@dataclass
class PartnerRisk:
    partner_id: int
    partner_name: str
    tier: str | None
    status: str
    reasons: list[RiskReason] = field(default_factory=list)

    @property
    def score(self) -> int:
        """The sum of the reasons' weights, at most 100."""
        return min(MAX_SCORE, sum(r.weight for r in self.reasons))


# --- the trend test -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    s: int
    variance: Decimal
    z: Decimal
    p_falling: Decimal  # one-sided: the chance of a fall at least this strong without a trend
    slope: Decimal  # Sen's slope: the median of the pairwise slopes, per month


def mann_kendall(values: list[int]) -> Trend:
    """The Mann-Kendall trend test of a series (normal approximation with the tie correction and the continuity
    correction of ±1 on S), with Sen's slope. p_falling is the lower tail Φ(z): small when the series falls."""
    n = len(values)
    s = sum((values[j] > values[i]) - (values[j] < values[i]) for i in range(n) for j in range(i + 1, n))
    ties = [values.count(v) for v in set(values)]
    variance = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18
    if variance <= 0:
        z = 0.0
    else:
        z = (s - 1) / math.sqrt(variance) if s > 0 else (s + 1) / math.sqrt(variance) if s < 0 else 0.0
    p = 0.5 * math.erfc(-z / math.sqrt(2))
    slopes = [Decimal(values[j] - values[i]) / (j - i) for i in range(n) for j in range(i + 1, n)]
    slope = statistics.median(slopes) if slopes else Decimal(0)
    return Trend(s, Decimal(repr(variance)), Decimal(repr(z)).quantize(CENT, ROUND_HALF_EVEN),
                 Decimal(repr(p)), Decimal(slope).quantize(CENT, ROUND_HALF_EVEN))


# --- the rules ------------------------------------------------------------------------------------------------------


def _start_of(day: date) -> datetime:
    """The first instant of `day`, local time."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _end_of(on: date) -> datetime:
    """The first instant after the day `on`, local time."""
    return _start_of(on + timedelta(days=1))


def _partner_url(partner_id: int, anchor: str) -> str:
    return reverse("console:partner", args=[partner_id]) + f"#{anchor}"


def _falling_referrals(on: date, rules: RiskRules, ids: set[int]) -> dict[int, RiskReason]:
    last = add_months(month_start(on), months=-1)
    first = add_months(month_start(on), months=-rules.trend_months)
    window = months(first, last)
    new = {(m, p): n for (m, p), n in new_customers_by_month(first, last).items() if p in ids}
    tz = ZoneInfo(settings.TIME_ZONE)
    claims_rows = (AttributionClaim.objects
                   .filter(won=False, partner__status__in=JUDGED, at__gte=_start_of(first),
                           at__lt=_start_of(add_months(last, months=1)))
                   .annotate(m=TruncMonth("at", tzinfo=tz)).order_by().values("m", "partner_id")
                   .annotate(n=Count("id")))
    claims: dict[tuple[date, int], int] = {}
    for row in claims_rows:
        m = row["m"].date() if isinstance(row["m"], datetime) else row["m"]
        claims[(m, row["partner_id"])] = row["n"]
    found: dict[int, RiskReason] = {}
    for pk in sorted({p for _m, p in new} | {p for _m, p in claims}):
        series = [(m, new.get((m, pk), 0), claims.get((m, pk), 0)) for m in window]
        while series and series[0][1] + series[0][2] == 0:
            series.pop(0)
        if len(series) < rules.trend_min_months:
            continue
        trend = mann_kendall([n + c for _m, n, c in series])
        if trend.s >= 0 or trend.p_falling >= rules.trend_max_p:
            continue
        found[pk] = RiskReason(FALLING_REFERRALS, rules.weights[FALLING_REFERRALS], {
            "months": [{"month": m.strftime("%Y-%m"), "new_customers": n, "claims": c, "referrals": n + c}
                       for m, n, c in series],
            "test": "mann-kendall", "s": trend.s, "z": str(trend.z), "p_value": f"{trend.p_falling:.4f}",
            "max_p": str(rules.trend_max_p), "sen_slope": str(trend.slope)}, _partner_url(pk, "customers"))
    return found


def _mean(total: int, count: int) -> Decimal:
    return (Decimal(total) / Decimal(count)).quantize(CENT, ROUND_HALF_EVEN)


def _csat_drop(on: date, rules: RiskRules, ids: set[int]) -> dict[int, RiskReason]:
    end = _end_of(on)
    mid, start = end - timedelta(days=rules.csat_window_days), end - timedelta(days=2 * rules.csat_window_days)
    recent, before = Q(occurred_at__gte=mid), Q(occurred_at__lt=mid)
    rows = (CsatScore.objects.filter(customer__partner__status__in=JUDGED, occurred_at__gte=start, occurred_at__lt=end)
            .values("customer__partner_id")
            .annotate(recent_n=Count("pk", filter=recent), recent_sum=Sum("score", filter=recent),
                      before_n=Count("pk", filter=before), before_sum=Sum("score", filter=before)))
    found: dict[int, RiskReason] = {}
    for row in rows:
        rn, bn = row["recent_n"], row["before_n"]
        if rn < rules.csat_min_scores or bn < rules.csat_min_scores:
            continue
        rs, bs = int(row["recent_sum"]), int(row["before_sum"])
        # before/bn − recent/rn ≥ MIN_DROP, exactly (no rounded means in the comparison)
        if Decimal(bs * rn - rs * bn) < rules.csat_min_drop * bn * rn:
            continue
        pk = row["customer__partner_id"]
        found[pk] = RiskReason(CSAT_DROP, rules.weights[CSAT_DROP], {
            "recent_from": (on - timedelta(days=rules.csat_window_days - 1)).isoformat(), "recent_to": on.isoformat(),
            "recent_mean": str(_mean(rs, rn)), "recent_scores": rn,
            "before_from": (on - timedelta(days=2 * rules.csat_window_days - 1)).isoformat(),
            "before_to": (on - timedelta(days=rules.csat_window_days)).isoformat(),
            "before_mean": str(_mean(bs, bn)), "before_scores": bn,
            "drop": str((Decimal(bs) / bn - Decimal(rs) / rn).quantize(CENT, ROUND_HALF_EVEN)),
            "min_drop": str(rules.csat_min_drop), "min_scores": rules.csat_min_scores}, _partner_url(pk, "customers"))
    return found


def _no_new_customer(on: date, rules: RiskRules, ids: set[int]) -> dict[int, RiskReason]:
    """The latest new customer of each judged partner by the end of `on`: the months before `on`'s from the monthly
    roll-up, `on`'s own month up to the end of `on` from its first invoices."""
    tz = ZoneInfo(settings.TIME_ZONE)
    latest = {pk: found for pk, found in new_customers_before(on).items() if pk in ids}
    this_month = (first_invoices(on, on, until=_end_of(on)).filter(customer__partner_id__in=ids)
                  .values("customer__partner_id")
                  .annotate(last=Max("paid_at"), customers=Count("customer_id", distinct=True)).order_by())
    for row in this_month:
        pk, day = row["customer__partner_id"], row["last"].astimezone(tz).date()
        before = latest.get(pk, (day, 0))
        latest[pk] = (max(before[0], day), before[1] + row["customers"])
    found: dict[int, RiskReason] = {}
    for pk, (last_day, customers) in latest.items():
        days = (on - last_day).days
        if days < rules.quiet_days:
            continue
        found[pk] = RiskReason(NO_NEW_CUSTOMER, rules.weights[NO_NEW_CUSTOMER], {
            "last_new_customer_on": last_day.isoformat(), "days_since": days, "customers": customers,
            "quiet_days": rules.quiet_days}, _partner_url(pk, "customers"))
    return found


def _agreement_ending(on: date, rules: RiskRules, ids: set[int]) -> dict[int, RiskReason]:
    horizon = on + timedelta(days=rules.agreement_days)
    rows = list(Agreement.objects.filter(partner__status__in=JUDGED).exclude(status=AgreementStatus.DRAFT)
                .order_by("partner_id", "start_date", "pk"))
    by_partner: dict[int, list[Agreement]] = defaultdict(list)
    for a in rows:
        by_partner[a.partner_id].append(a)
    found: dict[int, RiskReason] = {}
    for pk, agreements in by_partner.items():
        candidates: list[tuple[date, dict[str, Any], int]] = []
        for a in agreements:
            base = {"agreement_id": a.pk, "type": a.type, "title": a.title,
                    "window_days": rules.agreement_days}
            if a.status == AgreementStatus.TERMINATED:
                if a.terminated_on is not None and on - timedelta(days=rules.agreement_days) < a.terminated_on <= on:
                    candidates.append((a.terminated_on, {**base, "why": "notice", "terminated_on":
                                                         a.terminated_on.isoformat()}, a.pk))
                continue
            if a.status != AgreementStatus.ACTIVE or not a.in_force_on(on):
                continue
            end = current_term_end(a.rule, on)
            if end is None or end > horizon or (a.auto_renewal and a.end_date is None):
                continue
            if any(o.pk != a.pk and o.type == a.type and o.status == AgreementStatus.ACTIVE
                   and o.start_date > a.start_date and ((later := current_term_end(o.rule, on)) is None or later > end)
                   for o in agreements):
                continue
            candidates.append((end, {**base, "why": "ending", "ends_on": end.isoformat(),
                                     "days_left": (end - on).days}, a.pk))
        if candidates:
            _day, evidence, agreement_id = min(candidates, key=lambda c: (c[1]["why"] != "notice", c[0]))
            found[pk] = RiskReason(AGREEMENT_ENDING, rules.weights[AGREEMENT_ENDING], evidence,
                                   reverse("agreements_console:detail", args=[agreement_id]))
    return found


def _dispute_spike(on: date, rules: RiskRules, ids: set[int]) -> dict[int, RiskReason]:
    end = _end_of(on)
    recent_start = end - timedelta(days=rules.dispute_window_days)
    start = recent_start - timedelta(days=rules.dispute_window_days * rules.dispute_baseline_windows)
    rows = (Dispute.objects.filter(partner__status__in=JUDGED, opened_at__gte=start, opened_at__lt=end)
            .values("partner_id")
            .annotate(recent=Count("pk", filter=Q(opened_at__gte=recent_start)),
                      baseline=Count("pk", filter=Q(opened_at__lt=recent_start))))
    found: dict[int, RiskReason] = {}
    windows = rules.dispute_baseline_windows
    for row in rows:
        recent, baseline = row["recent"], row["baseline"]
        # recent ≥ FACTOR × baseline / windows, exactly
        if recent < rules.dispute_min or recent * windows < rules.dispute_factor * baseline:
            continue
        pk = row["partner_id"]
        found[pk] = RiskReason(DISPUTE_SPIKE, rules.weights[DISPUTE_SPIKE], {
            "recent": recent, "recent_days": rules.dispute_window_days, "baseline": baseline,
            "baseline_days": rules.dispute_window_days * windows,
            "baseline_mean": str((Decimal(baseline) / windows).quantize(CENT, ROUND_HALF_EVEN)),
            "factor": str(rules.dispute_factor), "min": rules.dispute_min}, _partner_url(pk, "disputes"))
    return found


def _refund_rate(on: date, rules: RiskRules, ids: set[int]) -> dict[int, RiskReason]:
    keep = ("window_days", "invoices", "refunded", "rate", "peers", "peer_median", "threshold", "chance", "max_p")
    found: dict[int, RiskReason] = {}
    for finding in refund_rates(_end_of(on), Thresholds.from_settings()):
        if finding.partner_id in ids:
            found[finding.partner_id] = RiskReason(
                REFUND_RATE, rules.weights[REFUND_RATE], {k: finding.evidence[k] for k in keep},
                reverse("safeguards_console:list") + f"?partner={finding.partner_id}&kind=refund_rate&status=")
    return found


RULES = ((FALLING_REFERRALS, _falling_referrals), (CSAT_DROP, _csat_drop), (NO_NEW_CUSTOMER, _no_new_customer),
         (AGREEMENT_ENDING, _agreement_ending), (DISPUTE_SPIKE, _dispute_spike), (REFUND_RATE, _refund_rate))


def risk_list(on: date, rules: RiskRules | None = None) -> list[PartnerRisk]:
    """The partners at risk on `on` (active or suspended, with at least one reason), by score (highest first),
    then name."""
    rules = rules or RiskRules.from_settings()
    partners = {row["pk"]: row for row in Partner.objects.filter(status__in=JUDGED).values(
        "pk", "name", "tier", "status")}
    ids = set(partners)
    risks: dict[int, PartnerRisk] = {}
    if not ids:
        return []
    for _key, rule in RULES:
        for pk, reason in rule(on, rules, ids).items():
            if (p := partners.get(pk)) is None:  # its status changed while the list was read
                continue
            risks.setdefault(pk, PartnerRisk(pk, p["name"], p["tier"], p["status"])).reasons.append(reason)
    return sorted(risks.values(), key=lambda r: (-r.score, r.partner_name.casefold(), r.partner_id))


# --- sentences ------------------------------------------------------------------------------------------------------


def reason_sentence(key: str, e: dict[str, Any]) -> str:
    """A reason as a sentence in the active language, from its evidence."""
    from django.utils.formats import date_format, number_format

    def day(text: str) -> str:
        return date_format(date.fromisoformat(text), "SHORT_DATE_FORMAT")

    def num(text: str | Decimal, places: int = 2) -> str:
        return number_format(Decimal(text), places)

    if key == FALLING_REFERRALS:
        first, last = e["months"][0], e["months"][-1]

        def month(text: str) -> str:
            return date_format(date.fromisoformat(f"{text}-01"), "YEAR_MONTH_FORMAT")

        return _("Referrals are falling: %(first)d in %(first_month)s, %(last)d in %(last_month)s, a downward trend "
                 "over %(months)d months (Mann-Kendall test, p = %(p)s).") % {
            "first": first["referrals"], "first_month": month(first["month"]), "last": last["referrals"],
            "last_month": month(last["month"]), "months": len(e["months"]), "p": num(e["p_value"], 4)}
    if key == CSAT_DROP:
        return _("CSAT fell from %(before)s (%(before_n)d scores) to %(recent)s (%(recent_n)d scores) in the last "
                 "90 days.") % {"before": num(e["before_mean"]), "before_n": e["before_scores"],
                                "recent": num(e["recent_mean"]), "recent_n": e["recent_scores"]}
    if key == NO_NEW_CUSTOMER:
        return _("No new customer for %(days)d days (the last on %(date)s).") % {
            "days": e["days_since"], "date": day(e["last_new_customer_on"])}
    if key == AGREEMENT_ENDING:
        title = e["title"] or (str(AgreementType(e["type"]).label) if e["type"] in AgreementType.values else e["type"])
        if e["why"] == "notice":
            return _("Notice given: the agreement “%(title)s” was terminated on %(date)s.") % {
                "title": title, "date": day(e["terminated_on"])}
        return _("The agreement “%(title)s” ends on %(date)s (in %(days)d days) and is not renewed.") % {
            "title": title, "date": day(e["ends_on"]), "days": e["days_left"]}
    if key == DISPUTE_SPIKE:
        return _("%(recent)d disputes opened in the last %(days)d days, against %(mean)s per %(days)d days "
                 "before.") % {"recent": e["recent"], "days": e["recent_days"], "mean": num(e["baseline_mean"])}
    if key == REFUND_RATE:
        return _("Refund rate of %(rate)s%% over %(days)d days, against the peers' median of %(median)s%%.") % {
            "rate": num(Decimal(e["rate"]) * 100, 1), "days": e["window_days"],
            "median": num(Decimal(e["peer_median"]) * 100, 1)}
    return key
