"""Commission plan versions (SPEC §6.2, §6.7): creating draft versions. A draft never accrues (the intake loads
active plans only, parceria.commissions.inputs); drafts exist to be tried with the what-if."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max

from parceria.commissions.models import CommissionPlan
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.inputs import COMMISSION_RATE, clean_text, parse_rate
from parceria.partners.models import Tier

_NAME_MAX_LENGTH = 120  # CommissionPlan.name
MAX_PLAN_MONTHS = 1200  # a hundred years: longer is "lifetime" (null)


def plan_draft_create(
    *,
    name: str,
    referral_rates: Mapping[str, str],
    entry_rate: str,
    max_months: int | None,
    actor: Actor,
) -> CommissionPlan:
    """Create a draft version of plan `name` (the next version number). A draft never accrues: the intake
    loads active plans only; drafts exist to be tried with `plan_what_if`."""
    name = " ".join(clean_text(name, field="name", max_length=_NAME_MAX_LENGTH).split())
    rates = _tier_rates(referral_rates)
    entry = parse_rate(entry_rate, field="entry_rate", kind=COMMISSION_RATE)
    if max_months is not None and (
        isinstance(max_months, bool) or not isinstance(max_months, int) or not 1 <= max_months <= MAX_PLAN_MONTHS
    ):
        raise InvalidInput(
            f"max_months must be a whole number of months from 1 to {MAX_PLAN_MONTHS}, or null for lifetime",
            details={"field": "max_months"},
        )
    for _ in range(3):
        try:
            with transaction.atomic():
                latest = CommissionPlan.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0
                plan = CommissionPlan.objects.create(
                    name=name,
                    version=latest + 1,
                    status=CommissionPlan.Status.DRAFT,
                    effective_from=None,
                    effective_to=None,
                    referral_rates={tier: format(rate, "f") for tier, rate in rates.items()},
                    entry_rate=entry,
                    max_months=max_months,
                )
                audit_record_create(actor=actor, action="plan.draft_created", obj=plan, after=_plan_dict(plan))
                return plan
        except IntegrityError:  # a concurrent draft of the same plan took the version number
            continue
    raise Conflict(f"could not number a new version of plan {name!r}; try again", code="busy")


def _plan_dict(plan: CommissionPlan) -> dict[str, object]:
    return {
        "name": plan.name,
        "version": plan.version,
        "status": plan.status,
        "referral_rates": plan.referral_rates,
        "entry_rate": str(plan.entry_rate),
        "max_months": plan.max_months,
    }


def _tier_rates(referral_rates: Mapping[str, str]) -> dict[str, Decimal]:
    if not isinstance(referral_rates, Mapping):
        raise InvalidInput("referral_rates must be an object {tier: rate}", details={"field": "referral_rates"})
    unknown = sorted(set(referral_rates) - set(Tier.values))
    if unknown:
        raise InvalidInput(
            f"unknown tier(s) {', '.join(map(repr, unknown))}; tiers are {', '.join(Tier.values)}",
            details={"field": "referral_rates"},
        )
    missing = [tier for tier in Tier.values if tier not in referral_rates]
    if missing:
        raise InvalidInput(
            f"give a rate for every tier; missing: {', '.join(missing)}", details={"field": "referral_rates"}
        )
    return {tier: parse_rate(value, field=f"referral_rates.{tier}", kind=COMMISSION_RATE)
            for tier, value in ((tier, referral_rates[tier]) for tier in Tier.values)}
