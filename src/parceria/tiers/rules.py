"""The tier rules, pure (no query): the metrics a partner is judged on, a requirement checked against them, the tiers
a partner qualifies for (cumulative, tier_data.LADDER), the integration partner's check, and the promotion/demotion
decision (promotion at once, demotion after a whole calendar quarter below)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from parceria.partners.models import Category, Partner, TierDefinition
from parceria.partners.tier_data import LADDER, METRIC_LABELS
from parceria.tiers.calendar import demotion_due

CENT = Decimal("0.01")
BOOLEAN_METRICS = frozenset({"training_complete", "advanced_certification", "joint_business_plan",
                             "integration_agreement", "maintenance_commitment"})
INTEGER_METRICS = frozenset({"successful_implementations", "referrals_last_quarter", "integration_customers"})
DECIMAL_METRICS = frozenset({"arr", "csat"})
OPS = frozenset({"true", ">=", ">"})


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


def next_tier(tier: str | None) -> str | None:
    position = rank(tier) + 1
    return LADDER[position] if position < len(LADDER) else None
