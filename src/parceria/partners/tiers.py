"""Partner tiers (SPEC §2): definitions as versioned data, the rules, the assessment service and its selectors.

Metrics, for a partner at the moment ``now`` (``on`` is its local date, America/Sao_Paulo):

* ``training_complete`` and ``advanced_certification`` come from enablement (``training_complete``,
  ``certifications_held``; the advanced certification is ``advanced-product``).
* ``successful_implementations``: attributed customers with at least one invoice paid by ``now``.
* ``referrals_last_quarter``: customers attributed to the partner in the last full calendar quarter before ``on``.
* ``arr`` = 12 × MRR, rounded to the cent (half-even); the requirement compares the rounded value. MRR is the
  sum over the partner's *active* attributed customers of each one's current invoice, taken as monthly: the
  latest invoice paid by ``now`` whose service period starts on or before ``on`` and ends on or after the first
  day of the month before ``on``'s month (a month's slack for the next invoice to be paid), net of its refunds
  by ``now`` (a fully refunded one counts 0). ARR is in R$: an invoice in another currency converts at the rate
  of the day it was paid, looked up as the intake does (``FxBook``), rounded half-even to 4 places; one without a
  usable rate is left out and listed in the evidence (``mrr_unconverted``).
* ``csat``: the mean of the latest score (by ``now``) of each active attributed customer, rounded to 2 places
  half-even; none when no customer scored. The requirement compares the rounded value.
* ``joint_business_plan``: an approved joint business plan in force on ``on`` (as agreements'
  ``has_approved_joint_business_plan``, for many partners in one query).

Tiers are cumulative (tier_data.LADDER): a partner qualifies for the highest tier whose requirements and those of
every lower tier it meets. Promotion takes effect at the assessment; demotion only once a whole calendar
quarter has passed with the partner below its tier's requirements (``below_since`` is kept on the assessments).
Tier changes go through ``partner_update``, which starts a new terms version effective at the time of the change,
so the commission engine uses the new rate from then on and posted lines never change.

The integration partner (tier_data.INTEGRATION) is a special category outside the ladder: every active partner of
the technology-integration category or with an integration share rate is also checked against the integration
partner definition in force (metrics in parceria.partners.integration_tier), and the result is recorded on its
assessment (``TierAssessment.integration``). It never changes the partner's tier or its integration share rate;
a partner that qualifies with a rate outside the definition's revenue share range gets a note in the evidence.

The assessment is set-based: a fixed number of queries whatever the number of partners, plus the writes of the
partners whose tier changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from parceria.agreements.models import Agreement, AgreementStatus, AgreementType, PlanApproval
from parceria.common.audit import Actor, audit_record_create
from parceria.common.dbsum import exact_sums
from parceria.common.errors import InvalidInput
from parceria.common.fx import FxBook
from parceria.common.money import multiply
from parceria.customers.models import CsatScore, Customer, CustomerStatus, Invoice, Refund
from parceria.enablement.selectors import certifications_held, training_complete
from parceria.partners.integration_tier import integration_metrics
from parceria.partners.models import Category, DefinedTier, Partner, PartnerStatus, TierAssessment, TierDefinition
from parceria.partners.services import PartnerChanges, partner_update
from parceria.partners.tier_data import (
    ADVANCED_CERTIFICATION,
    BENEFIT_KEYS,
    INTEGRATION,
    INTEGRATION_BENEFIT_KEYS,
    INTEGRATION_METRICS,
    LADDER,
    LADDER_METRICS,
    METRIC_LABELS,
)

CENT = Decimal("0.01")
BOOLEAN_METRICS = frozenset({"training_complete", "advanced_certification", "joint_business_plan",
                             "integration_agreement", "maintenance_commitment"})
INTEGER_METRICS = frozenset({"successful_implementations", "referrals_last_quarter", "integration_customers"})
DECIMAL_METRICS = frozenset({"arr", "csat"})
OPS = frozenset({"true", ">=", ">"})


# --- Calendar quarters ------------------------------------------------------------------------------------------


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def next_quarter(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)


def last_full_quarter(on: date) -> tuple[date, date]:
    """The last calendar quarter that ended before `on`: (first day, last day)."""
    end = quarter_start(on)
    prev = end - timedelta(days=1)
    return quarter_start(prev), prev


def demotion_due(below_since: date) -> date:
    """The first day a partner below its tier since `below_since` may be demoted: after a whole calendar quarter
    below (the quarter starting on `below_since` if it is a quarter's first day, else the next one)."""
    first_full = below_since if below_since == quarter_start(below_since) else next_quarter(quarter_start(below_since))
    return next_quarter(first_full)


def _local_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=timezone.get_default_timezone())


# --- Definitions ------------------------------------------------------------------------------------------------


def _check_requirements(requirements: Any, metrics: frozenset[str], kind: str) -> list[dict[str, str]]:
    if not isinstance(requirements, list) or not requirements:
        raise InvalidInput("requirements must be a non-empty list", details={"field": "requirements"})
    clean = []
    for item in requirements:
        metric, op = (item.get("metric"), item.get("op")) if isinstance(item, dict) else (None, None)
        if metric in METRIC_LABELS and metric not in metrics:
            message = f"requirement {metric} does not apply to {kind}; they use {', '.join(sorted(metrics))}"
            raise InvalidInput(message, details={"field": "requirements"})
        if metric not in METRIC_LABELS or op not in OPS:
            raise InvalidInput(f"invalid requirement {item!r}", details={"field": "requirements"})
        if (metric in BOOLEAN_METRICS) != (op == "true"):
            raise InvalidInput(f"requirement {metric} cannot use {op!r}", details={"field": "requirements"})
        row = {"metric": str(metric), "op": str(op)}
        if op != "true":
            try:
                row["value"] = str(Decimal(str(item.get("value"))))
            except ArithmeticError:
                message = f"requirement {metric} needs a numeric value"
                raise InvalidInput(message, details={"field": "requirements"}) from None
        clean.append(row)
    return clean


def _check_benefits(benefits: Any) -> dict[str, Any]:
    if not isinstance(benefits, Mapping):
        raise InvalidInput("benefits must be an object of commission_rate and flags", details={"field": "benefits"})
    unknown = sorted(set(benefits) - set(BENEFIT_KEYS))
    if unknown:
        known = ", ".join(BENEFIT_KEYS)
        raise InvalidInput(f"unknown benefit {unknown[0]!r}; the benefits are {known}", details={"field": "benefits"})
    clean: dict[str, Any] = {}
    for key, value in benefits.items():
        if key != "commission_rate":
            if not isinstance(value, bool):
                raise InvalidInput(f"benefit {key} must be true or false", details={"field": "benefits"})
            clean[key] = value
            continue
        try:
            rate = Decimal(str(value))
        except ArithmeticError:
            rate = Decimal("NaN")
        if isinstance(value, bool) or not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1):
            message = f"commission_rate must be a fraction between 0 and 1 (0.20 is 20 %); got {value!r}"
            raise InvalidInput(message, details={"field": "benefits"})
        clean[key] = str(rate)
    return clean


def _fraction(key: str, value: Any) -> Decimal:
    try:
        rate = Decimal(str(value))
    except ArithmeticError:
        rate = Decimal("NaN")
    if isinstance(value, bool) or value is None or not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1):
        message = f"{key} must be a fraction between 0 and 1 (0.15 is 15 %); got {value!r}"
        raise InvalidInput(message, details={"field": "benefits"})
    return rate


def _check_integration_benefits(benefits: Any) -> dict[str, Any]:
    """The integration partner's benefits: the revenue share range (both ends, min ≤ max) and flags."""
    keys = ", ".join(INTEGRATION_BENEFIT_KEYS)
    if not isinstance(benefits, Mapping):
        raise InvalidInput(f"benefits must be an object of {keys}", details={"field": "benefits"})
    unknown = sorted(set(benefits) - set(INTEGRATION_BENEFIT_KEYS))
    if unknown:
        message = f"unknown benefit {unknown[0]!r} for the integration partner; its benefits are {keys}"
        raise InvalidInput(message, details={"field": "benefits"})
    low = _fraction("revenue_share_min", benefits.get("revenue_share_min"))
    high = _fraction("revenue_share_max", benefits.get("revenue_share_max"))
    if low > high:
        message = f"revenue_share_min ({low}) must not exceed revenue_share_max ({high})"
        raise InvalidInput(message, details={"field": "benefits"})
    clean: dict[str, Any] = {"revenue_share_min": str(low), "revenue_share_max": str(high)}
    for key in INTEGRATION_BENEFIT_KEYS[2:]:
        value = benefits.get(key, False)
        if not isinstance(value, bool):
            raise InvalidInput(f"benefit {key} must be true or false", details={"field": "benefits"})
        clean[key] = value
    return clean


def tier_definition_check(
    *,
    tier: str,
    effective_from: date,
    effective_to: date | None,
    requirements: Any,
    benefits: Any,
    exclude_pk: int | None = None,
) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """The rules a version of a tier obeys (InvalidInput naming the field otherwise): a known tier, dates in
    order, well-formed requirements and benefits, and no overlap with another version of the tier (`exclude_pk`:
    the version being changed). Returns the cleaned requirements and benefits."""
    if tier not in DefinedTier.values:
        message = f"tier must be one of {', '.join(DefinedTier.values)}; got {tier!r}"
        raise InvalidInput(message, details={"field": "tier"})
    if effective_to is not None and effective_to <= effective_from:
        raise InvalidInput("effective_to must be after effective_from", details={"field": "effective_to"})
    if tier == INTEGRATION:
        clean = _check_requirements(requirements, INTEGRATION_METRICS, "the integration partner")
        clean_benefits = _check_integration_benefits(benefits)
    else:
        clean = _check_requirements(requirements, LADDER_METRICS, "the tiers of the ladder")
        clean_benefits = _check_benefits(benefits)
    others = TierDefinition.objects.filter(tier=tier)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    for other in others.order_by("effective_from", "version"):
        starts_before_other_ends = other.effective_to is None or effective_from < other.effective_to
        ends_after_other_starts = effective_to is None or effective_to > other.effective_from
        if starts_before_other_ends and ends_after_other_starts:
            until = other.effective_to.isoformat() if other.effective_to else "open-ended"
            raise InvalidInput(
                f"the {tier} tier already has version {other.version} in force from "
                f"{other.effective_from.isoformat()} ({until}); versions of a tier must not overlap",
                code="overlapping_tier_version",
                details={"field": "effective_from", "version": other.version},
            )
    return clean, clean_benefits


def tier_definition_create(
    *,
    tier: str,
    effective_from: date,
    effective_to: date | None,
    requirements: Any,
    benefits: Mapping[str, Any],
    actor: Actor,
) -> TierDefinition:
    """Add a version of a tier. Refused (nothing changes) when it overlaps another version of the same tier."""
    with transaction.atomic():
        versions = list(TierDefinition.objects.select_for_update().filter(tier=tier))
        clean, clean_benefits = tier_definition_check(
            tier=tier, effective_from=effective_from, effective_to=effective_to, requirements=requirements,
            benefits=benefits,
        )
        definition = TierDefinition.objects.create(
            tier=tier,
            version=max((v.version for v in versions), default=0) + 1,
            effective_from=effective_from,
            effective_to=effective_to,
            requirements=clean,
            benefits=clean_benefits,
        )
        audit_record_create(
            actor=actor,
            action="tier_definition.created",
            obj=definition,
            after={"tier": tier, "version": definition.version, "requirements": clean, "benefits": clean_benefits},
        )
    return definition


def tier_definition_end(*, definition: TierDefinition, effective_to: date | None, actor: Actor) -> TierDefinition:
    """Set (or clear) the end of a version, so that a new version can follow it. Its requirements and benefits never
    change: assessments name the version they used. Refused when the new end would overlap another version."""
    with transaction.atomic():
        versions = TierDefinition.objects.select_for_update().filter(tier=definition.tier)
        locked = next(v for v in versions if v.pk == definition.pk)
        tier_definition_check(
            tier=locked.tier, effective_from=locked.effective_from, effective_to=effective_to,
            requirements=locked.requirements, benefits=locked.benefits, exclude_pk=locked.pk,
        )
        before = locked.effective_to
        locked.effective_to = effective_to
        locked.save(update_fields=["effective_to"])
        audit_record_create(
            actor=actor,
            action="tier_definition.ended",
            obj=locked,
            before={"effective_to": before.isoformat() if before else None},
            after={"effective_to": effective_to.isoformat() if effective_to else None},
        )
    return locked


def definitions_in_force(on: date) -> dict[str, TierDefinition]:
    """The version of each tier in force on `on` (one query)."""
    rows = TierDefinition.objects.filter(effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on)
    )
    return {d.tier: d for d in rows.order_by("effective_from", "version")}


# --- Rules (pure) -----------------------------------------------------------------------------------------------


@dataclass
class Metrics:
    training_complete: bool = False
    successful_implementations: int = 0
    referrals_last_quarter: int = 0
    arr: Decimal = Decimal("0.00")
    csat: Decimal | None = None
    advanced_certification: bool = False
    joint_business_plan: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "training_complete": self.training_complete,
            "successful_implementations": self.successful_implementations,
            "referrals_last_quarter": self.referrals_last_quarter,
            "arr": format(self.arr, "f"),
            "csat": None if self.csat is None else format(self.csat, "f"),
            "advanced_certification": self.advanced_certification,
            "joint_business_plan": self.joint_business_plan,
            **self.extra,
        }


def _text(value: Any) -> Any:
    return format(value, "f") if isinstance(value, Decimal) else value


def requirement_check(requirement: Mapping[str, Any], metrics: Any) -> dict[str, Any]:
    """One requirement against the metrics (Metrics, or IntegrationMetrics for the integration partner's):
    {metric, label, op, required, actual, met, gap}."""
    metric, op = requirement["metric"], requirement["op"]
    actual = getattr(metrics, metric)
    result: dict[str, Any] = {"metric": metric, "label": METRIC_LABELS[metric], "op": op}
    if op == "true":
        result.update(required=True, actual=bool(actual), met=bool(actual), gap=None)
        return result
    required = Decimal(str(requirement["value"]))
    met = actual is not None and (Decimal(actual) >= required if op == ">=" else Decimal(actual) > required)
    gap: Any = None
    if not met and op == ">=":
        gap = required - Decimal(actual or 0)
        gap = int(gap) if metric in INTEGER_METRICS else gap.quantize(CENT)
    required_out: Any = int(required) if metric in INTEGER_METRICS else required.quantize(CENT)
    result.update(required=_text(required_out), actual=_text(actual), met=met, gap=_text(gap))
    return result


def evaluate(definitions: Mapping[str, TierDefinition], metrics: Metrics) -> tuple[str | None, list[dict[str, Any]]]:
    """Each tier's requirements checked, lowest first, and the highest tier qualified for (cumulative)."""
    qualified: str | None = None
    climbing = True
    tiers: list[dict[str, Any]] = []
    for tier in LADDER:
        definition = definitions.get(tier)
        if definition is None:
            tiers.append({"tier": tier, "version": None, "met": False, "requirements": []})
            climbing = False
            continue
        checks = [requirement_check(r, metrics) for r in definition.requirements]
        met = all(c["met"] for c in checks)
        tiers.append({"tier": tier, "version": definition.version, "met": met, "requirements": checks})
        if climbing and met:
            qualified = tier
        else:
            climbing = False
    return qualified, tiers


def evaluate_integration(
    definition: TierDefinition | None, metrics: Any, share_rate: Decimal | None
) -> dict[str, Any]:
    """The integration partner definition checked (metrics: IntegrationMetrics): qualified, each requirement, and the
    partner's integration share rate against the definition's revenue share range. A partner that qualifies with a
    rate outside the range (or none) gets a note; nothing is changed automatically."""
    rate = None if share_rate is None else format(share_rate, "f")
    result: dict[str, Any] = {"version": None, "qualified": False, "requirements": [], "metrics": metrics.as_json(),
                              "share_rate": rate, "revenue_share": None, "rate_in_range": None, "note": None}
    if definition is None:
        return result
    checks = [requirement_check(r, metrics) for r in definition.requirements]
    low, high = definition.benefits["revenue_share_min"], definition.benefits["revenue_share_max"]
    in_range = share_rate is not None and Decimal(low) <= share_rate <= Decimal(high)
    qualified = all(c["met"] for c in checks)
    result.update(version=definition.version, qualified=qualified, requirements=checks, revenue_share=[low, high],
                  rate_in_range=in_range)
    if qualified and not in_range:
        agreed = f"the integration share rate {rate}" if rate is not None else "no integration share rate"
        result["note"] = (f"qualifies as integration partner with {agreed}, outside the revenue share range "
                          f"{low}–{high} of the definition; the rate is not changed automatically")
    return result


def is_integration_partner(partner: Partner) -> bool:
    """Assessed against the integration partner definition: technology-integration category or a share rate."""
    return partner.category == Category.TECHNOLOGY_INTEGRATION or partner.integration_share_rate is not None


def rank(tier: str | None) -> int:
    return LADDER.index(tier) if tier in LADDER else -1


@dataclass(frozen=True)
class Decision:
    resulting: str | None
    below_since: date | None
    change: str  # "promoted", "demoted" or ""
    demotion_due: date | None


def decide(current: str | None, qualified: str | None, below_since: date | None, on: date) -> Decision:
    """Promotion at once; demotion after a whole calendar quarter below the current tier's requirements."""
    if rank(qualified) > rank(current):
        return Decision(qualified, None, "promoted", None)
    if rank(qualified) == rank(current):
        return Decision(current, None, "", None)
    since = below_since if below_since is not None and below_since <= on else on
    due = demotion_due(since)
    if on >= due:
        return Decision(qualified, None, "demoted", None)
    return Decision(current, since, "", due)


# --- Metrics (set-based) ----------------------------------------------------------------------------------------


@dataclass
class _Mrr:
    total: Decimal = Decimal(0)
    unconverted: list[str] = field(default_factory=list)  # invoices without a usable FX rate to BRL


def _monthly_recurring_revenue(customers: Any, on: date, now: datetime) -> dict[int, _Mrr]:
    """Per partner: the sum over `customers` of each one's current invoice (the latest paid by `now` whose
    service period reaches into last month or later), net of its refunds by `now`, in BRL. An invoice in
    another currency converts at the rate of the day it was paid, with the intake's look-up (FxBook), each
    rounded half-even to 4 places as on accrual; a fully refunded invoice counts 0. Three queries."""
    month_before = (on.replace(day=1) - timedelta(days=1)).replace(day=1)
    current_invoice = (
        Invoice.objects.filter(customer=OuterRef("pk"), paid_at__lte=now, period_start__lte=on,
                               period_end__gte=month_before)
        .order_by("-period_end", "-paid_at", "-invoice_id")
        .values("invoice_id")[:1]
    )
    current_ids = customers.annotate(current=Subquery(current_invoice)).exclude(current=None).values("current")
    invoices = list(
        Invoice.objects.filter(invoice_id__in=current_ids).values_list(
            "invoice_id", "customer__partner_id", "amount", "currency", "paid_at"
        )
    )
    if not invoices:
        return {}
    refunded = Refund.objects.filter(invoice_id__in=current_ids, refunded_at__lte=now)
    refunds = exact_sums(refunded, "amount", "invoice_id")
    days = [timezone.localdate(paid_at) for *_, paid_at in invoices]
    book = FxBook.load({(currency, "BRL") for _, _, _, currency, _ in invoices}, min(days), max(days))
    result: dict[int, _Mrr] = defaultdict(_Mrr)
    for (invoice_id, partner_id, amount, currency, _), day in zip(invoices, days, strict=True):
        net = max(Decimal(amount) - refunds.get(invoice_id, Decimal(0)), Decimal(0))
        mrr = result[partner_id]
        if currency == "BRL" or net == 0:
            mrr.total += net
        elif (quote := book.quote(currency, "BRL", day)) is not None:
            mrr.total += multiply(net, quote.rate).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
        else:
            mrr.unconverted.append(invoice_id)
    return result


def partner_metrics(partner_ids: Sequence[int], now: datetime) -> dict[int, Metrics]:
    """The metrics of many partners at `now`: ten queries whatever their number."""
    ids = list(partner_ids)
    on = timezone.localdate(now)
    metrics = {pk: Metrics() for pk in ids}
    if not ids:
        return metrics
    for pk, done in training_complete(ids, now).items():
        metrics[pk].training_complete = done
    for pk, codes in certifications_held(ids, now).items():
        metrics[pk].advanced_certification = ADVANCED_CERTIFICATION in codes
        metrics[pk].extra["certifications"] = sorted(codes)

    implementations = (
        Customer.objects.filter(partner_id__in=ids, invoices__paid_at__lte=now)
        .values("partner_id")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    for row in implementations:
        metrics[row["partner_id"]].successful_implementations = row["n"]

    q_first, q_last = last_full_quarter(on)
    referrals = (
        Customer.objects.filter(
            partner_id__in=ids,
            attributed_at__gte=_local_start(q_first),
            attributed_at__lt=_local_start(q_last + timedelta(days=1)),
        )
        .values("partner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in referrals:
        metrics[row["partner_id"]].referrals_last_quarter = row["n"]
    for m in metrics.values():
        m.extra["referral_quarter"] = [q_first.isoformat(), q_last.isoformat()]

    active = Customer.objects.filter(partner_id__in=ids, status=CustomerStatus.ACTIVE)
    for partner_id, mrr in _monthly_recurring_revenue(active, on, now).items():
        m = metrics[partner_id]
        m.arr = (mrr.total * 12).quantize(CENT, ROUND_HALF_EVEN)
        m.extra["mrr"] = format(mrr.total.quantize(Decimal("0.0001")), "f")
        if mrr.unconverted:
            m.extra["mrr_unconverted"] = sorted(mrr.unconverted)
    for m in metrics.values():
        m.extra.setdefault("mrr", "0.0000")

    latest_score = (
        CsatScore.objects.filter(customer=OuterRef("pk"), occurred_at__lte=now)
        .order_by("-occurred_at", "-event_id")
        .values("score")[:1]
    )
    scores: dict[int, list[int]] = defaultdict(list)
    for partner_id, score in active.annotate(s=Subquery(latest_score)).exclude(s=None).values_list("partner_id", "s"):
        scores[partner_id].append(int(score))
    for pk, values in scores.items():
        metrics[pk].csat = (Decimal(sum(values)) / Decimal(len(values))).quantize(CENT, ROUND_HALF_EVEN)
    for pk, m in metrics.items():
        m.extra["csat_customers"] = len(scores.get(pk, []))

    plans = Agreement.objects.filter(
        partner_id__in=ids,
        type=AgreementType.JOINT_BUSINESS_PLAN,
        plan_approval=PlanApproval.APPROVED,
        start_date__lte=on,
    ).exclude(status=AgreementStatus.DRAFT)
    for plan in plans:
        if plan.in_force_on(on):
            metrics[plan.partner_id].joint_business_plan = True
    return metrics


# --- The assessment service -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    partner_id: int
    partner_name: str
    previous_tier: str | None
    qualified_tier: str | None
    resulting_tier: str | None
    change: str
    below_since: date | None
    demotion_due: date | None
    evidence: dict[str, Any]
    integration: dict[str, Any] | None = None

    def line(self) -> str:
        name = f"{self.partner_name} (#{self.partner_id})"
        return f"{name}: {self.change} {self.previous_tier or 'no tier'} → {self.resulting_tier or 'no tier'}"


@dataclass
class AssessmentRun:
    on: date
    assessed_at: datetime
    dry_run: bool
    outcomes: list[Outcome]

    @property
    def changes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.change]

    def summary(self) -> str:
        promoted = sum(o.change == "promoted" for o in self.outcomes)
        demoted = sum(o.change == "demoted" for o in self.outcomes)
        grace = sum(o.below_since is not None for o in self.outcomes)
        prefix = "dry run: " if self.dry_run else ""
        integration = [o.integration for o in self.outcomes if o.integration is not None]
        qualified = sum(bool(i["qualified"]) for i in integration)
        tail = f"; integration partners: {qualified} of {len(integration)} qualified" if integration else ""
        return (
            f"{prefix}{len(self.outcomes)} partners assessed on {self.on.isoformat()}: {promoted} promoted, "
            f"{demoted} demoted, {grace} below their tier within the grace quarter{tail}"
        )


def _previous_assessments(ids: Sequence[int], on: date) -> dict[int, TierAssessment]:
    """The latest assessment of each partner before `on` (one query)."""
    latest = (
        TierAssessment.objects.filter(partner_id=OuterRef("partner_id"), assessed_on__lt=on)
        .order_by("-assessed_on", "-id")
        .values("id")[:1]
    )
    rows = TierAssessment.objects.filter(partner_id__in=list(ids), assessed_on__lt=on).annotate(
        latest=Subquery(latest)
    )
    return {a.partner_id: a for a in rows.filter(id=F("latest"))}


def tiers_assess(
    *,
    actor: Actor,
    now: datetime | None = None,
    partner_ids: Iterable[int] | None = None,
    dry_run: bool = False,
) -> AssessmentRun:
    """Assess every active partner (or the given ones) at `now`, record the assessments (one per partner and
    day: a re-run the same day replaces that day's) and apply promotions and due demotions."""
    now = now or timezone.now()
    on = timezone.localdate(now)
    partners_qs = Partner.objects.filter(status=PartnerStatus.ACTIVE).order_by("id")
    if partner_ids is not None:
        partners_qs = partners_qs.filter(pk__in=list(partner_ids))
    partners = list(partners_qs)
    ids = [p.pk for p in partners]
    definitions = definitions_in_force(on)
    metrics = partner_metrics(ids, now)
    integration_ids = [p.pk for p in partners if is_integration_partner(p)]
    integration = integration_metrics(integration_ids, on, last_full_quarter(on))
    previous = _previous_assessments(ids, on) if ids else {}
    outcomes: list[Outcome] = []
    for partner in partners:
        m = metrics[partner.pk]
        qualified, tiers = evaluate(definitions, m)
        before = previous.get(partner.pk)
        carried = before.below_since if before is not None and before.resulting_tier == partner.tier else None
        decision = decide(partner.tier, qualified, carried, on)
        evidence = {
            "metrics": m.as_json(),
            "tiers": tiers,
            "grace": {
                "below_since": decision.below_since.isoformat() if decision.below_since else None,
                "demotion_due": decision.demotion_due.isoformat() if decision.demotion_due else None,
            },
        }
        checked = None
        if partner.pk in integration:
            checked = evaluate_integration(definitions.get(INTEGRATION), integration[partner.pk],
                                           partner.integration_share_rate)
        outcomes.append(
            Outcome(partner.pk, partner.name, partner.tier, qualified, decision.resulting, decision.change,
                    decision.below_since, decision.demotion_due, evidence, checked)
        )
    run = AssessmentRun(on, now, dry_run, outcomes)
    if dry_run:
        return run
    by_id = {p.pk: p for p in partners}
    with transaction.atomic():
        for outcome in run.changes:
            partner_update(partner=by_id[outcome.partner_id], changes=PartnerChanges(tier=outcome.resulting_tier),
                           actor=actor)
        TierAssessment.objects.bulk_create(
            [
                TierAssessment(
                    partner_id=o.partner_id,
                    assessed_on=on,
                    assessed_at=now,
                    evidence=o.evidence,
                    previous_tier=o.previous_tier,
                    qualified_tier=o.qualified_tier,
                    resulting_tier=o.resulting_tier,
                    below_since=o.below_since,
                    change=o.change,
                    integration=o.integration,
                    created_by=actor.label[:200],
                )
                for o in outcomes
            ],
            update_conflicts=True,
            unique_fields=["partner", "assessed_on"],
            update_fields=[
                "assessed_at", "evidence", "qualified_tier", "resulting_tier", "below_since", "integration",
                "created_by",
            ],
        )
    return run


# --- Selectors --------------------------------------------------------------------------------------------------


def latest_assessment(partner: Partner | int) -> TierAssessment | None:
    partner_id = partner if isinstance(partner, int) else partner.pk
    return TierAssessment.objects.filter(partner_id=partner_id).order_by("-assessed_on", "-id").first()


def next_tier(tier: str | None) -> str | None:
    position = rank(tier) + 1
    return LADDER[position] if position < len(LADDER) else None


def tier_progress(partner: Partner, on: date | None = None) -> dict[str, Any]:
    """The partner's tier, its benefits, the latest assessment and what is missing for the next tier (numbers)."""
    on = on or timezone.localdate()
    definitions = definitions_in_force(on)
    assessment = latest_assessment(partner)
    current = definitions.get(partner.tier) if partner.tier else None
    upcoming = next_tier(partner.tier)
    missing: list[dict[str, Any]] = []
    tiers: list[dict[str, Any]] = assessment.evidence.get("tiers", []) if assessment else []
    if upcoming is not None and assessment is not None:
        for row in tiers:
            if rank(row["tier"]) > rank(upcoming):
                break
            missing.extend({**c, "tier": row["tier"]} for c in row["requirements"] if not c["met"])
    return {
        "partner_id": partner.pk,
        "tier": partner.tier,
        "benefits": current.benefits if current else {},
        "next_tier": upcoming,
        "missing_for_next_tier": missing,
        "assessment": assessment,
    }
