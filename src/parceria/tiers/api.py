"""Tier API (SPEC §2.2–2.3): a partner's tier progress (READ; a partner key sees only its own partner) and an
assessment on demand (MANAGE_PARTNERS). Mounted in parceria.config.api."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, ApiBool, PathId, StrictRowId
from parceria.partners.selectors import scope_partners
from parceria.tiers.assessment import tiers_assess
from parceria.tiers.selectors import tier_progress

router = Router(tags=["tiers"])


class AssessmentOut(Schema):
    id: int
    partner_id: int
    assessed_on: date
    assessed_at: datetime
    previous_tier: str | None
    qualified_tier: str | None
    resulting_tier: str | None
    change: str
    below_since: date | None
    evidence: dict[str, Any]


class TierProgressOut(Schema):
    partner_id: int
    tier: str | None
    benefits: dict[str, Any]
    next_tier: str | None
    missing_for_next_tier: list[dict[str, Any]]
    assessment: AssessmentOut | None


class AssessIn(Schema):
    model_config = ConfigDict(extra="forbid")

    partner_id: StrictRowId | None = Field(None, description="Assess one partner; omit to assess every active partner.")
    dry_run: ApiBool = False


class OutcomeOut(Schema):
    partner_id: int
    previous_tier: str | None
    qualified_tier: str | None
    resulting_tier: str | None
    change: str
    below_since: date | None
    demotion_due: date | None


class RunOut(Schema):
    on: date
    dry_run: bool
    summary: str
    outcomes: list[OutcomeOut]


@router.get("/partners/{int:partner_id}/tier-progress", response={200: TierProgressOut, **ERRORS})
def get_tier_progress(request: HttpRequest, partner_id: PathId) -> Any:
    principal = principal_of(request)
    principal.require(Ability.READ)
    partner = get_object_or_404(scope_partners(principal), pk=partner_id)
    return tier_progress(partner)


@router.post("/tier-assessments", response={200: RunOut, **ERRORS})
def post_tier_assessment(request: HttpRequest, body: AssessIn) -> Any:
    principal = principal_of(request)
    principal.require(Ability.MANAGE_PARTNERS)
    ids = None
    if body.partner_id is not None:
        ids = [get_object_or_404(scope_partners(principal), pk=body.partner_id).pk]
    run = tiers_assess(actor=principal.actor, partner_ids=ids, dry_run=body.dry_run)
    return {
        "on": run.on,
        "dry_run": run.dry_run,
        "summary": run.summary(),
        "outcomes": [
            {
                "partner_id": o.partner_id,
                "previous_tier": o.previous_tier,
                "qualified_tier": o.qualified_tier,
                "resulting_tier": o.resulting_tier,
                "change": o.change,
                "below_since": o.below_since,
                "demotion_due": o.demotion_due,
            }
            for o in run.outcomes
        ],
    }
