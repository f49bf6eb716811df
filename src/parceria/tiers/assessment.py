"""The tier assessment service (SPEC §2.2): every active partner (or the given ones) judged at a moment, the
assessments recorded (one per partner and day), promotions applied at once and demotions once due.

Tiers are cumulative (tier_data.LADDER): a partner qualifies for the highest tier whose requirements and those of
every lower tier it meets. Promotion takes effect at the assessment; demotion only once a whole calendar
quarter has passed with the partner below its tier's requirements (``below_since`` is kept on the assessments).
Tier changes go through ``partner_update``, which starts a new terms version effective at the time of the change,
so the commission engine uses the new rate from then on and posted lines never change.

The integration partner (tier_data.INTEGRATION) is a special category outside the ladder: every active partner of
the technology-integration category or with an integration share rate is also checked against the integration
partner definition in force (metrics in parceria.tiers.integration), and the result is recorded on its
assessment (``TierAssessment.integration``). It never changes the partner's tier or its integration share rate;
a partner that qualifies with a rate outside the definition's revenue share range gets a note in the evidence.

The assessment is set-based: a fixed number of queries whatever the number of partners, plus the writes of the
partners whose tier changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from parceria.common.audit import Actor
from parceria.partners.models import Partner, PartnerStatus, TierAssessment
from parceria.partners.services import PartnerChanges, partner_update
from parceria.partners.tier_data import INTEGRATION
from parceria.tiers.calendar import last_full_quarter
from parceria.tiers.definitions import definitions_in_force
from parceria.tiers.integration import integration_metrics
from parceria.tiers.metrics import partner_metrics
from parceria.tiers.rules import decide, evaluate, evaluate_integration, is_integration_partner
from parceria.webhooks.outbox import emit


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
        for o in run.changes:
            emit("tier.changed", partner=by_id[o.partner_id], data={
                "assessed_on": on, "previous_tier": o.previous_tier, "tier": o.resulting_tier, "change": o.change})
    return run
