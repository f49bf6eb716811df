"""Reads for the tier pages (SPEC §2.3): a partner's tier with its benefits and each requirement toward the next tier
with the numbers of its latest assessment (portal and console), and the latest assessment of every partner (the
console's list). The numbers come from the assessment's evidence, so a page shows what the assessment decided on.

Tiers are cumulative: the requirements toward the next tier are all of that tier's and any of a lower tier that the
partner no longer meets (e.g. a partner in its demotion grace), so the unmet rows are exactly tier_progress's
``missing_for_next_tier``.

The integration partner is shown apart from the ladder (IntegrationStatus): for a partner of the technology-integration
category or with an integration share rate, whether it qualifies, each requirement with its numbers, the benefits of
the definition in force and its own share rate against the definition's range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from parceria.common import fixedsql
from parceria.partners.models import Partner, PartnerStatus, TierAssessment, TierDefinition
from parceria.partners.tier_data import BENEFIT_KEYS, INTEGRATION, INTEGRATION_BENEFIT_KEYS, LADDER
from parceria.tiers.assessment import AssessmentRun
from parceria.tiers.calendar import demotion_due
from parceria.tiers.definitions import definitions_in_force
from parceria.tiers.rules import BOOLEAN_METRICS, INTEGER_METRICS, is_integration_partner, next_tier, rank

Number = Decimal | int | bool

#: How each metric is shown: an amount in R$, a score, a count, or yes/no.
METRIC_KINDS = {"arr": "money", "csat": "score", "successful_implementations": "count",
                "referrals_last_quarter": "count", "integration_customers": "count"}


def _number(metric: str, value: Any) -> Number | None:
    if value is None:
        return None
    if metric in BOOLEAN_METRICS:
        return bool(value)
    return int(value) if metric in INTEGER_METRICS else Decimal(str(value))


@dataclass(frozen=True)
class RequirementRow:
    """One requirement of a tier with the partner's number: `required` is the target (True for a yes/no
    requirement), `actual` the partner's number (None: no data, e.g. no CSAT score yet), `gap` how much more is
    needed for an unmet "at least" requirement."""

    tier: str
    metric: str
    op: str
    required: Number
    actual: Number | None
    met: bool
    gap: Decimal | int | None

    @property
    def kind(self) -> str:
        return METRIC_KINDS.get(self.metric, "flag")


def _row(tier: str, check: Mapping[str, Any]) -> RequirementRow:
    metric = check["metric"]
    required = _number(metric, check["required"])
    gap = _number(metric, check["gap"])
    return RequirementRow(
        tier=tier, metric=metric, op=check["op"], required=True if required is None else required,
        actual=_number(metric, check["actual"]), met=bool(check["met"]), gap=None if isinstance(gap, bool) else gap,
    )


def requirement_rows(tiers: Sequence[Mapping[str, Any]], target: str) -> list[RequirementRow]:
    """From an assessment's per-tier results: every requirement of `target`, after the unmet requirements of the
    tiers below it."""
    rows: list[RequirementRow] = []
    for result in tiers:
        if rank(result["tier"]) > rank(target):
            break
        for check in result["requirements"]:
            if result["tier"] == target or not check["met"]:
                rows.append(_row(result["tier"], check))
    return rows


def target_rows(definition: TierDefinition | None) -> list[RequirementRow]:
    """A tier's requirements without a partner's numbers (before the first assessment)."""
    if definition is None:
        return []
    return [
        RequirementRow(tier=definition.tier, metric=r["metric"], op=r["op"],
                       required=True if r["op"] == "true" else _number(r["metric"], r["value"]),  # type: ignore[arg-type]
                       actual=None, met=False, gap=None)
        for r in definition.requirements
    ]


@dataclass(frozen=True)
class BenefitRow:
    """A benefit of the partner's tier and of the next one: the commission rate in percent, or a flag."""

    key: str
    current: Decimal | bool | None
    following: Decimal | bool | None


def _benefit(benefits: Mapping[str, Any] | None, key: str) -> Decimal | bool | None:
    if benefits is None:
        return None
    if key == "commission_rate":
        rate = benefits.get(key)
        return None if rate is None else Decimal(str(rate)) * 100
    return bool(benefits.get(key, False))


def benefit_rows(current: Mapping[str, Any] | None, following: Mapping[str, Any] | None) -> list[BenefitRow]:
    return [BenefitRow(key, _benefit(current, key), _benefit(following, key)) for key in BENEFIT_KEYS]


@dataclass(frozen=True)
class IntegrationStatus:
    """The integration partner, outside the ladder: `qualified` at the latest assessment (None: not assessed yet),
    its requirements (with the assessment's numbers once assessed), the benefits of the definition in force
    (`revenue_share`: the range in percent; `flags`: key → yes/no), the partner's share rate in percent now, and
    `rate_outside_range`: it qualified with a share rate outside the range (the assessment's note)."""

    qualified: bool | None
    requirements: list[RequirementRow]
    revenue_share: tuple[Decimal, Decimal] | None
    flags: list[tuple[str, bool]]
    share_rate: Decimal | None
    rate_outside_range: bool
    usage_quarter: tuple[date, date] | None

    @property
    def assessed(self) -> bool:
        return self.qualified is not None

    @property
    def missing(self) -> list[RequirementRow]:
        return [row for row in self.requirements if not row.met]


def integration_status(
    partner: Partner, assessment: TierAssessment | None, definition: TierDefinition | None
) -> IntegrationStatus | None:
    """The partner's integration partner status; None for a partner that is not assessed as one. No query."""
    result = assessment.integration if assessment is not None else None
    if result is None and not is_integration_partner(partner):
        return None
    if result is not None:
        rows = [_row(INTEGRATION, check) for check in result["requirements"]]
        quarter = result["metrics"].get("usage_quarter")
    else:
        rows = target_rows(definition)
        quarter = None
    benefits = definition.benefits if definition is not None else {}
    share = None
    if "revenue_share_min" in benefits:
        share = (Decimal(benefits["revenue_share_min"]) * 100, Decimal(benefits["revenue_share_max"]) * 100)
    rate = partner.integration_share_rate
    return IntegrationStatus(
        qualified=None if result is None else bool(result["qualified"]),
        requirements=rows,
        revenue_share=share,
        flags=[(key, bool(benefits[key])) for key in INTEGRATION_BENEFIT_KEYS[2:] if key in benefits],
        share_rate=None if rate is None else Decimal(rate) * 100,
        rate_outside_range=result is not None and result.get("note") is not None,
        usage_quarter=(date.fromisoformat(quarter[0]), date.fromisoformat(quarter[1])) if quarter else None,
    )


@dataclass(frozen=True)
class TierOverview:
    """What a partner sees of its tier. `requirements` lead to `next_tier` (for the highest tier: what keeps it)."""

    partner_id: int
    tier: str | None
    next_tier: str | None
    benefits: list[BenefitRow]
    requirements: list[RequirementRow]
    assessment: TierAssessment | None
    demotion_due: date | None
    referral_quarter: tuple[date, date] | None
    integration: IntegrationStatus | None = None

    @property
    def missing(self) -> list[RequirementRow]:
        return [row for row in self.requirements if not row.met]

    @property
    def demotion_to(self) -> str | None:
        return self.assessment.qualified_tier if self.assessment is not None else None


def _referral_quarter(assessment: TierAssessment | None) -> tuple[date, date] | None:
    quarter = assessment.evidence.get("metrics", {}).get("referral_quarter") if assessment is not None else None
    return (date.fromisoformat(quarter[0]), date.fromisoformat(quarter[1])) if quarter else None


def tier_overview(partner: Partner, on: date | None = None) -> TierOverview:
    """The partner's tier page: tier_progress (tier, benefits, latest assessment) with every requirement toward the
    next tier and the benefits of both tiers. Two queries: the definitions in force and the latest assessment."""
    on = on or timezone.localdate()
    definitions = definitions_in_force(on)
    progress = tier_progress(partner, on, definitions=definitions)
    assessment: TierAssessment | None = progress["assessment"]
    upcoming = progress["next_tier"]
    target = upcoming or partner.tier
    if assessment is not None and target is not None:
        requirements = requirement_rows(assessment.evidence.get("tiers", []), target)
    else:
        requirements = target_rows(definitions.get(target)) if target else []
    following = definitions.get(upcoming) if upcoming else None
    below_since = assessment.below_since if assessment is not None else None
    return TierOverview(
        partner_id=partner.pk,
        tier=partner.tier,
        next_tier=upcoming,
        benefits=benefit_rows(progress["benefits"] if partner.tier else None,
                              following.benefits if following is not None else None),
        requirements=requirements,
        assessment=assessment,
        demotion_due=demotion_due(below_since) if below_since is not None else None,
        referral_quarter=_referral_quarter(assessment),
        integration=integration_status(partner, assessment, definitions.get(INTEGRATION)),
    )


# --- The console's list ---------------------------------------------------------------------------------------------

CHANGE_FILTERS = ("promoted", "demoted", "unchanged", "grace")
NO_TIER = "none"


def latest_assessments(
    *, text: str = "", tier: str = "", qualified: str = "", change: str = "", integration: str = ""
) -> QuerySet[Any]:
    """The latest assessment of each partner, with its partner, filtered by the partner's name, its tier now
    (NO_TIER: none), the tier it qualified for, the change (CHANGE_FILTERS; "grace": below its tier within
    the demotion grace) and the integration partner result ("qualified", "missing", or "none": not assessed as
    an integration partner)."""
    newest = TierAssessment.objects.filter(partner_id=OuterRef("partner_id")).order_by("-assessed_on", "-id")
    latest = newest.values("id")[:1]
    rows = TierAssessment.objects.select_related("partner").annotate(latest=Subquery(latest)).filter(id=F("latest"))
    if text:
        rows = rows.filter(Q(partner__name__icontains=text) | Q(partner__legal_name__icontains=text))
    if tier == NO_TIER:
        rows = rows.filter(partner__tier__isnull=True)
    elif tier in LADDER:
        rows = rows.filter(partner__tier=tier)
    if qualified == NO_TIER:
        rows = rows.filter(qualified_tier__isnull=True)
    elif qualified in LADDER:
        rows = rows.filter(qualified_tier=qualified)
    if change in ("promoted", "demoted"):
        rows = rows.filter(change=change)
    elif change == "unchanged":
        rows = rows.filter(change="")
    elif change == "grace":
        rows = rows.filter(below_since__isnull=False)
    if integration == "qualified":
        rows = rows.filter(integration__qualified=True)
    elif integration == "missing":
        rows = rows.filter(integration__isnull=False, integration__qualified=False)
    elif integration == "none":
        rows = rows.filter(integration__isnull=True)
    return rows


@dataclass(frozen=True)
class AssessmentRow:
    """A line of the console's list: the latest assessment, the partner's tier now and the requirements toward the
    tier above it, with the assessment's numbers."""

    assessment: TierAssessment
    partner: Partner
    next_tier: str | None
    requirements: list[RequirementRow]
    demotion_due: date | None
    integration: IntegrationStatus | None = None

    @property
    def missing(self) -> list[RequirementRow]:
        return [row for row in self.requirements if not row.met]


def assessment_row(assessment: TierAssessment) -> AssessmentRow:
    """No query: the partner comes with the assessment (latest_assessments selects it)."""
    partner = assessment.partner
    upcoming = next_tier(partner.tier)
    target = upcoming or partner.tier
    rows = requirement_rows(assessment.evidence.get("tiers", []), target) if target else []
    due = demotion_due(assessment.below_since) if assessment.below_since is not None else None
    integration = integration_status(partner, assessment, None) if assessment.integration is not None else None
    return AssessmentRow(assessment, partner, upcoming, rows, due, integration)


def assessment_rows(assessments: Iterable[TierAssessment]) -> list[AssessmentRow]:
    return [assessment_row(a) for a in assessments]


@dataclass(frozen=True)
class RunPreview:
    """What an on-demand assessment is about to do: the active partners it assesses on `on`, and how many of them
    already have an assessment that day (a re-run replaces those figures; changes already made stay)."""

    on: date
    partners: int
    assessed_today: int


def run_preview(on: date | None = None) -> RunPreview:
    on = on or timezone.localdate()
    active = Partner.objects.filter(status=PartnerStatus.ACTIVE)
    today = TierAssessment.objects.filter(assessed_on=on, partner__status=PartnerStatus.ACTIVE)
    return RunPreview(on, active.count(), today.count())


@dataclass(frozen=True)
class RunCounts:
    assessed: int
    promoted: int
    demoted: int
    unchanged: int
    in_grace: int


def run_counts(run: AssessmentRun) -> RunCounts:
    promoted = sum(o.change == "promoted" for o in run.outcomes)
    demoted = sum(o.change == "demoted" for o in run.outcomes)
    grace = sum(o.below_since is not None for o in run.outcomes)
    total = len(run.outcomes)
    return RunCounts(total, promoted, demoted, total - promoted - demoted, grace)


# --- A partner's progress (the API's answer) ----------------------------------------------------------------------


def latest_assessment(partner: Partner | int) -> TierAssessment | None:
    partner_id = partner if isinstance(partner, int) else partner.pk
    found = fixedsql.instances(TierAssessment, "partner_id = %s", [partner_id],
                               order_by="assessed_on DESC, id DESC", limit=1)  # fixed SQL: every dashboard asks it
    return found[0] if found else None


def tier_progress(
    partner: Partner, on: date | None = None, *, definitions: dict[str, TierDefinition] | None = None
) -> dict[str, Any]:
    """The partner's tier, its benefits, the latest assessment and what is missing for the next tier (numbers).
    `definitions`: the tiers' definitions in force on `on` when the caller has them already."""
    on = on or timezone.localdate()
    if definitions is None:
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
