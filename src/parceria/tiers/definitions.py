"""Tier definitions as versioned data (SPEC §2.1): the rules a version obeys (checked by the admin form and by the
services alike), adding a version, ending one, and the versions in force on a day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from parceria.common import fixedsql
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput
from parceria.partners.models import DefinedTier, TierDefinition
from parceria.partners.tier_data import (
    BENEFIT_KEYS,
    INTEGRATION,
    INTEGRATION_BENEFIT_KEYS,
    INTEGRATION_METRICS,
    LADDER_METRICS,
    METRIC_LABELS,
)
from parceria.tiers.rules import BOOLEAN_METRICS, OPS


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
    """The version of each tier in force on `on` (one query, fixed SQL: every portal dashboard asks it)."""
    day = connection.ops.adapt_datefield_value(on)
    rows = fixedsql.instances(TierDefinition,
                              "effective_from <= %s AND (effective_to IS NULL OR effective_to > %s)",
                              [day, day], order_by="effective_from, version")
    return {d.tier: d for d in rows}
