"""The integration partner's metrics (SPEC §2.1, seed §4.2), set-based: two queries whatever the number of partners.

* ``integration_agreement``: a technology-integration agreement (not a draft) in force on ``on``.
* ``integration_customers``: distinct customers with usage recorded through the partner as their integration
  partner on a day of the given quarter (the last full calendar quarter before ``on``).
* ``maintenance_commitment``: one of those agreements in force renews by itself (auto-renewal with a term in
  months, no fixed end, not terminated), is open-ended, or has its last day in force on or after the same day
  ``MAINTENANCE_MONTHS`` months after ``on`` (months counted as agreement terms are, parceria.agreements.dates).

These metrics never change a partner's tier or rate: the assessment records them beside the ladder's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count

from parceria.agreements.dates import current_term_end
from parceria.agreements.models import Agreement, AgreementStatus, AgreementType
from parceria.common.months import add_months
from parceria.customers.models import UsageRecord
from parceria.partners.tier_data import MAINTENANCE_MONTHS


@dataclass
class IntegrationMetrics:
    integration_agreement: bool = False
    integration_customers: int = 0
    maintenance_commitment: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "integration_agreement": self.integration_agreement,
            "integration_customers": self.integration_customers,
            "maintenance_commitment": self.maintenance_commitment,
            **self.extra,
        }


@dataclass(frozen=True)
class Commitment:
    """How long a technology-integration agreement in force on a day runs: `renews` by itself, or its `last_day`
    in force (None: open-ended); `met` when it renews, is open-ended or runs to `needed` or later."""

    agreement_id: int
    renews: bool
    last_day: date | None
    needed: date

    @property
    def met(self) -> bool:
        return self.renews or self.last_day is None or self.last_day >= self.needed

    def as_json(self) -> dict[str, Any]:
        return {"id": self.agreement_id, "renews": self.renews,
                "last_day": self.last_day.isoformat() if self.last_day else None,
                "needed_until": self.needed.isoformat()}


def maintenance_commitment(agreement: Agreement, on: date) -> Commitment:
    """The maintenance commitment of an agreement in force on `on` (pure: no query)."""
    rule = agreement.rule
    terminated = agreement.terminated_on
    renews = rule.auto_renewal and rule.end_date is None and rule.initial_term_months is not None and not terminated
    last_day = current_term_end(rule, on)
    if terminated is not None:
        stop = terminated - timedelta(days=1)
        last_day = stop if last_day is None else min(last_day, stop)
    maintained_until = add_months(on, months=MAINTENANCE_MONTHS, overflow="first_of_next_month")
    return Commitment(agreement.pk, renews, last_day, maintained_until)


def _best(commitments: list[Commitment]) -> Commitment:
    """The agreement that commits the longest: one that renews, then open-ended, then the latest last day."""
    return max(commitments, key=lambda c: (c.renews, c.last_day is None, c.last_day or date.min, c.agreement_id))


def integration_metrics(
    partner_ids: Sequence[int], on: date, quarter: tuple[date, date]
) -> dict[int, IntegrationMetrics]:
    """The integration partner metrics of many partners on `on`, with usage in `quarter` (first, last day)."""
    ids = list(partner_ids)
    metrics = {pk: IntegrationMetrics() for pk in ids}
    if not ids:
        return metrics
    agreements = Agreement.objects.filter(
        partner_id__in=ids, type=AgreementType.TECHNOLOGY_INTEGRATION, start_date__lte=on
    ).exclude(status=AgreementStatus.DRAFT)
    in_force: dict[int, list[Commitment]] = {}
    for agreement in agreements:
        if agreement.in_force_on(on):
            in_force.setdefault(agreement.partner_id, []).append(maintenance_commitment(agreement, on))
    for pk, commitments in in_force.items():
        best = _best(commitments)
        m = metrics[pk]
        m.integration_agreement = True
        m.maintenance_commitment = best.met
        m.extra["agreement"] = best.as_json()
    first, last = quarter
    customers = (
        UsageRecord.objects.filter(integration_partner_id__in=ids, day__gte=first, day__lte=last)
        .values("integration_partner_id")
        .annotate(n=Count("customer_id", distinct=True))
        .order_by()
    )
    for row in customers:
        metrics[row["integration_partner_id"]].integration_customers = row["n"]
    for m in metrics.values():
        m.extra.setdefault("agreement", None)
        m.extra["usage_quarter"] = [first.isoformat(), last.isoformat()]
    return metrics
