"""Which partners fit a lead best (SPEC §4.3), with every reason shown.

Only active partners are candidates. A partner the lead would conflict with is excluded, with the reason for staff:
the company is already a customer, an open opportunity of the direct-sales pipeline, or held by an active deal
registration (the partner's own or another's) — what `deals.services.deal_register` would reject on acceptance
(`deals.services.company_holders` finds them).

Each candidate earns points for six reasons; a reason's points are its weight times how well the partner meets it,
a fraction from 0 to 1, rounded to the cent (0.01) half up, and the total is the sum of the rounded points:

* exclusivity — 1 if an agreement in force grants the partner an exclusive territory equal to the lead's region or
  an exclusive vertical equal to the lead's vertical (agreements' TERRITORY_EXCLUSIVITY / VERTICAL_EXCLUSIVITY);
* vertical — 1 if the lead's vertical is one of the partner's verticals;
* region — 1 if the lead's region is one of the partner's territories in the lead's country, 0.5 if the partner is
  only of the same country (SAME_COUNTRY), else 0; a territory names a region as 'SP' or 'BR-SP';
* tier — strategic 1, preferred 2/3, certified 1/3, none 0 (TIER_FRACTIONS);
* capacity — (full − open deals) ÷ full, never below 0: open deals are the partner's active deal registrations and
  the leads offered to it still waiting for its answer; `full` is settings.PARCERIA["LEAD_ROUTING_FULL_CAPACITY"];
* conversion — converted ÷ approved registrations (those approved at some point: approved, converted or expired);
  0 without any.

The weights are data: settings.PARCERIA["LEAD_ROUTING_WEIGHTS"]. Names compare without accents, case or punctuation
("Food & Beverage" is food_beverage).

Order: a partner holding an exclusive term for the lead comes first whatever the points (the agreement grants it;
another partner's registration would be rejected once exclusivity is a conflict rule); then more points; a tie is
broken by fewer open deals, then by the older partner (the lower id), so the order is always the same."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.agreements.models import TermKind
from parceria.agreements.selectors import exclusivities_held_by_others
from parceria.deals.models import DealRegistration, DealStatus
from parceria.deals.services import Holders, active_q, company_holders
from parceria.leads.models import Lead, LeadOffer, OfferStatus
from parceria.partners.models import Partner, PartnerStatus, Tier

REASONS = ("exclusivity", "vertical", "region", "tier", "capacity", "conversion")
DEFAULT_WEIGHTS = {"exclusivity": "50", "vertical": "30", "region": "25", "tier": "15", "capacity": "15",
                   "conversion": "15"}
DEFAULT_FULL_CAPACITY = 10
TIER_FRACTIONS: dict[str, Decimal] = {Tier.STRATEGIC: Decimal(1), Tier.PREFERRED: Decimal(2) / Decimal(3),
                                      Tier.CERTIFIED: Decimal(1) / Decimal(3)}
SAME_COUNTRY = Decimal("0.5")
#: The registrations that were approved at some point (the denominator of the conversion rate).
APPROVED_ONCE = (DealStatus.APPROVED, DealStatus.CONVERTED, DealStatus.EXPIRED)
CENT = Decimal("0.01")


def routing_weights() -> dict[str, Decimal]:
    """Each reason's weight, from settings.PARCERIA["LEAD_ROUTING_WEIGHTS"] (a missing one takes its default)."""
    given = {**DEFAULT_WEIGHTS, **getattr(settings, "PARCERIA", {}).get("LEAD_ROUTING_WEIGHTS", {})}
    weights = {}
    for key in REASONS:
        try:
            weight = Decimal(str(given[key]))
        except InvalidOperation:
            weight = Decimal(-1)
        if not weight.is_finite() or weight < 0:
            raise ImproperlyConfigured(f"LEAD_ROUTING_WEIGHTS[{key!r}] must be a number ≥ 0, not {given[key]!r}")
        weights[key] = weight
    return weights


def full_capacity() -> int:
    return max(1, int(getattr(settings, "PARCERIA", {}).get("LEAD_ROUTING_FULL_CAPACITY", DEFAULT_FULL_CAPACITY)))


def comparable(value: str) -> str:
    """A vertical, region or territory as compared: no accents, case or punctuation ('São Paulo' → 'sao_paulo')."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def region_keys(lead: Lead) -> set[str]:
    """The lead's region as a territory may name it: 'SP' or 'BR-SP' (none without a region)."""
    if not comparable(lead.region):
        return set()
    return {comparable(lead.region), comparable(f"{lead.country}-{lead.region}")}


@dataclass(frozen=True)
class Reason:
    """One reason a candidate is ranked by: its weight, how well the partner meets it (0 to 1), the points it earns
    and what was found, in the reader's words."""

    key: str
    weight: Decimal
    fraction: Decimal
    points: Decimal
    detail: str


@dataclass(frozen=True)
class Candidate:
    partner: Partner
    points: Decimal
    exclusive: bool
    open_deals: int
    reasons: tuple[Reason, ...]

    def snapshot(self, position: int) -> dict[str, Any]:
        """What an offer keeps of the ranking (staff only)."""
        return {"position": position, "points": str(self.points), "exclusive": self.exclusive,
                "open_deals": self.open_deals,
                "reasons": [{"key": r.key, "weight": str(r.weight), "fraction": str(r.fraction.quantize(
                    Decimal("0.0001"), ROUND_HALF_UP)), "points": str(r.points), "detail": r.detail}
                    for r in self.reasons]}


@dataclass(frozen=True)
class Exclusion:
    """A partner the lead is not offered to, and why (staff only: it may name another partner)."""

    partner: Partner
    reason: str


@dataclass(frozen=True)
class Ranking:
    candidates: list[Candidate]
    excluded: list[Exclusion]
    weights: dict[str, Decimal]
    blocked: str = ""  # why no partner at all can take the lead (a customer, a pipeline opportunity)

    def candidate(self, partner_id: int) -> tuple[int, Candidate] | None:
        """The 1-based position and the candidate of `partner_id`, if it is one."""
        for position, candidate in enumerate(self.candidates, start=1):
            if candidate.partner.pk == partner_id:
                return position, candidate
        return None


def _points(weight: Decimal, fraction: Decimal) -> Decimal:
    return (weight * fraction).quantize(CENT, ROUND_HALF_UP)


def _exclusions(partners: list[Partner], holders: Holders) -> tuple[str, dict[int, str]]:
    if holders.customer is not None:
        blocked = _("The company is already a customer: %(name)s (%(external_id)s).") % {
            "name": holders.customer.name, "external_id": holders.customer.external_id}
        return blocked, {p.pk: blocked for p in partners}
    if holders.opportunity is not None:
        blocked = _("The company is an open opportunity of the direct sales team: %(name)s (%(id)s).") % {
            "name": holders.opportunity.company_name, "id": holders.opportunity.external_id}
        return blocked, {p.pk: blocked for p in partners}
    if not holders.registrations:
        return "", {}
    first = holders.registrations[0]
    own = {r.partner_id: r for r in holders.registrations}
    reasons = {}
    for partner in partners:
        mine = own.get(partner.pk)
        reasons[partner.pk] = (
            _("It already holds an active registration of this company (#%(id)s).") % {"id": mine.pk} if mine
            else _("Registered by another partner: %(partner)s (registration #%(id)s).") % {
                "partner": first.partner.name, "id": first.pk})
    return "", reasons


def rank_partners(lead: Lead, *, now: datetime | None = None) -> Ranking:
    """The active partners ranked for `lead`, best first, and those excluded with the reason (see the module)."""
    from parceria.leads.services import lead_fields

    moment = now or timezone.now()
    today: date = timezone.localdate(moment)
    weights = routing_weights()
    full = full_capacity()
    partners = list(Partner.objects.filter(status=PartnerStatus.ACTIVE).order_by("id"))
    blocked, excluded = _exclusions(partners, company_holders(fields=lead_fields(lead), today=today))

    open_deals: dict[int, int] = defaultdict(int)
    for row in DealRegistration.objects.filter(active_q(today)).values("partner_id").annotate(n=Count("id")):
        open_deals[row["partner_id"]] += row["n"]
    waiting = LeadOffer.objects.filter(status=OfferStatus.PENDING, deadline__gt=moment)
    for row in waiting.values("partner_id").annotate(n=Count("id")):
        open_deals[row["partner_id"]] += row["n"]
    approved: dict[int, int] = defaultdict(int)
    converted: dict[int, int] = defaultdict(int)
    history = DealRegistration.objects.filter(status__in=[s.value for s in APPROVED_ONCE])
    for row in history.values("partner_id", "status").annotate(n=Count("id")):
        approved[row["partner_id"]] += row["n"]
        if row["status"] == DealStatus.CONVERTED:
            converted[row["partner_id"]] += row["n"]
    exclusive: dict[int, str] = {}
    regions, vertical = region_keys(lead), comparable(lead.vertical)
    for term in exclusivities_held_by_others(None, today):
        value = comparable(term.value)
        if term.kind == TermKind.TERRITORY_EXCLUSIVITY and value in regions:
            exclusive.setdefault(term.partner_id, _("Exclusive territory %(value)s (agreement #%(id)s).") % {
                "value": term.value, "id": term.agreement_id})
        elif term.kind == TermKind.VERTICAL_EXCLUSIVITY and vertical and value == vertical:
            exclusive.setdefault(term.partner_id, _("Exclusive vertical %(value)s (agreement #%(id)s).") % {
                "value": term.value, "id": term.agreement_id})

    candidates = []
    for partner in partners:
        if partner.pk in excluded:
            continue
        reasons = _reasons(lead, partner, weights, full=full, open_deals=open_deals[partner.pk],
                           approved=approved[partner.pk], converted=converted[partner.pk],
                           exclusivity=exclusive.get(partner.pk, ""), regions=regions, vertical=vertical)
        candidates.append(Candidate(partner, sum((r.points for r in reasons), Decimal("0.00")),
                                    partner.pk in exclusive, open_deals[partner.pk], reasons))
    candidates.sort(key=lambda c: (not c.exclusive, -c.points, c.open_deals, c.partner.pk))
    return Ranking(candidates, [Exclusion(p, excluded[p.pk]) for p in partners if p.pk in excluded], weights,
                   blocked)


def _reasons(lead: Lead, partner: Partner, weights: dict[str, Decimal], *, full: int, open_deals: int, approved: int,
             converted: int, exclusivity: str, regions: set[str], vertical: str) -> tuple[Reason, ...]:
    def reason(key: str, fraction: Decimal, detail: str) -> Reason:
        return Reason(key, weights[key], fraction, _points(weights[key], fraction), detail)

    same_country = partner.country == lead.country
    territories = {comparable(t) for t in partner.territories if isinstance(t, str)}
    verticals = {comparable(v) for v in partner.verticals if isinstance(v, str)}
    if not vertical:
        vertical_reason = reason("vertical", Decimal(0), _("The lead names no vertical."))
    elif vertical in verticals:
        vertical_reason = reason("vertical", Decimal(1), _("Works in %(vertical)s.") % {"vertical": lead.vertical})
    else:
        vertical_reason = reason("vertical", Decimal(0), _("Does not work in %(vertical)s.") % {
            "vertical": lead.vertical})
    if same_country and regions & territories:
        region_reason = reason("region", Decimal(1), _("Covers %(region)s.") % {"region": lead.region})
    elif same_country:
        region_reason = reason("region", SAME_COUNTRY, _("Same country (%(country)s), not the lead's region.") % {
            "country": lead.country})
    else:
        region_reason = reason("region", Decimal(0), _("Another country (%(country)s).") % {
            "country": partner.country})
    tier = TIER_FRACTIONS.get(partner.tier or "", Decimal(0))
    tier_detail = (_("Tier: %(tier)s.") % {"tier": partner.get_tier_display()} if partner.tier else _("No tier."))
    capacity = max(Decimal(0), Decimal(full - open_deals) / Decimal(full))
    conversion = Decimal(converted) / Decimal(approved) if approved else Decimal(0)
    return (
        reason("exclusivity", Decimal(1) if exclusivity else Decimal(0),
               exclusivity or _("No exclusive term for this lead.")),
        vertical_reason,
        region_reason,
        reason("tier", tier, tier_detail),
        reason("capacity", capacity, _("%(open)s open deals (full at %(full)s).") % {"open": open_deals,
                                                                                        "full": full}),
        reason("conversion", conversion,
               _("%(converted)s of %(approved)s approved registrations converted.") % {
                   "converted": converted, "approved": approved} if approved
               else _("No approved registration yet.")),
    )
