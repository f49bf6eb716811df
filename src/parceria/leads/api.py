"""Leads API (SPEC §4.3): validate, call a service or a selector, serialise. Mounted at /api/v1/leads.

* Staff (Ability.MANAGE_PARTNERS) or the platform (a key with Ability.INGEST) create a lead (`POST`), idempotent by
  an optional `external_id` (201 when created, 200 with the same lead when sent again).
* `GET` lists and reads leads: staff every lead with its latest offer; a partner only the leads offered to it, each
  with its own latest offer (another partner's lead answers 404, as if it did not exist).
* Staff read the ranking of partners for a lead (`GET /{id}/candidates`: every reason with its weight and points, the
  partners excluded and why) and offer it to one (`POST /{id}/offer`, Ability.MANAGE_PARTNERS).
* The partner a lead is offered to accepts it (`POST /{id}/accept`: the deal is registered in its name) or declines it
  (`POST /{id}/decline` with a reason) before the deadline (Ability.REGISTER_DEALS); staff answer nothing (403).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from parceria.accounts.tenancy import Ability, Principal
from parceria.api.auth import principal_of
from parceria.api.schemas import (
    COUNTRIES,
    ERRORS,
    NOT_BLANK_PATTERN,
    Page,
    PageParams,
    PathId,
    StrictRowId,
    check_choice,
    choice,
    declared,
)
from parceria.common.errors import NotFound, PermissionDenied
from parceria.common.money import CURRENCIES, ledger_str
from parceria.deals.api import VALUE_PATTERN
from parceria.deals.services import NOTES_MAX_LENGTH, DealFields
from parceria.leads import services
from parceria.leads.models import Lead, LeadOffer, LeadStatus
from parceria.leads.routing import rank_partners
from parceria.leads.selectors import lead_get, lead_list, offer_list, partner_offer
from parceria.partners.selectors import scope_partners

router = Router(tags=["leads"])


class LeadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    external_id: str = declared("", maxLength=services.EXTERNAL_ID_MAX_LENGTH,
                                description="The sender's id of the lead: the same id again answers the same lead.")
    company_name: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=300)
    country: str = choice(COUNTRIES, description="ISO 3166-1 alpha-2.")
    tax_id: str = declared("", maxLength=40, description="Validated per country (CNPJ or CPF in BR).")
    domain: str = declared("", maxLength=253, description="The company's web domain; not a public e-mail provider.")
    contact_name: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=200)
    contact_email: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=254)
    estimated_value: str = declared(pattern=VALUE_PATTERN, description="A decimal string, e.g. \"12500.00\".")
    currency: str = choice(list(CURRENCIES))
    vertical: str = declared("", maxLength=60)
    region: str = declared("", maxLength=60)
    notes: str = declared("", maxLength=NOTES_MAX_LENGTH)


class DeclineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = declared(pattern=NOT_BLANK_PATTERN, maxLength=services.REASON_MAX_LENGTH,
                           description="Why the partner declines the lead (staff read it).")


class OfferOut(Schema):
    id: int
    partner_id: int
    status: str
    offered_at: datetime
    deadline: datetime
    responded_at: datetime | None
    decline_reason: str
    registration_id: int | None = declared(None, description="The deal registration the acceptance made.")
    registration_status: str | None = None


class LeadOut(Schema):
    id: int
    external_id: str | None
    company_name: str
    country: str
    tax_id: str
    domain: str
    contact_name: str
    contact_email: str
    estimated_value: str
    currency: str
    vertical: str
    region: str
    notes: str
    status: str | None = declared(None, description="Staff only: open (with staff), offered or accepted.")
    created_at: datetime | None = declared(None, description="Staff only.")
    offer: OfferOut | None = declared(None, description="A partner: its latest offer of the lead. Staff: the "
                                                       "lead's latest offer.")


class OfferIn(Schema):
    model_config = ConfigDict(extra="forbid")

    partner_id: StrictRowId = declared(description="The partner to offer the lead to: an active candidate.")


class ReasonOut(Schema):
    key: str = declared(description="exclusivity, vertical, region, tier, capacity or conversion.")
    weight: str
    fraction: str = declared(description="How well the partner meets the reason, 0 to 1 (4 places).")
    points: str = declared(description="weight × fraction, rounded to 0.01 half up.")
    detail: str


class CandidateOut(Schema):
    position: int
    partner_id: int
    partner_name: str
    points: str
    exclusive: bool
    open_deals: int
    reasons: list[ReasonOut]


class ExcludedOut(Schema):
    partner_id: int
    partner_name: str
    reason: str


class RankingOut(Schema):
    blocked: str = declared(description="Why no partner can take the lead (empty when some can).")
    weights: dict[str, str]
    candidates: list[CandidateOut]
    excluded: list[ExcludedOut]


class LeadPage(Page):
    items: list[LeadOut]


class LeadListParams(Schema):
    status: str | None = choice([*LeadStatus.values, None], None, description="Staff: the leads of one status.")


def _offer(offer: LeadOffer | None) -> dict[str, Any] | None:
    if offer is None:
        return None
    return {"id": offer.pk, "partner_id": offer.partner_id, "status": offer.status, "offered_at": offer.offered_at,
            "deadline": offer.deadline, "responded_at": offer.responded_at, "decline_reason": offer.decline_reason,
            "registration_id": offer.registration_id,
            "registration_status": offer.registration.status if offer.registration else None}


def _lead(lead: Lead, offer: LeadOffer | None, principal: Principal) -> dict[str, Any]:
    staff = not principal.is_partner
    return {
        "id": lead.pk, "external_id": lead.external_id, "company_name": lead.company_name, "country": lead.country,
        "tax_id": lead.tax_id, "domain": lead.domain, "contact_name": lead.contact_name,
        "contact_email": lead.contact_email, "estimated_value": ledger_str(lead.estimated_value),
        "currency": lead.currency, "vertical": lead.vertical, "region": lead.region, "notes": lead.notes,
        "status": lead.status if staff else None, "created_at": lead.created_at if staff else None,
        "offer": _offer(offer),
    }


def _latest(lead: Lead) -> LeadOffer | None:
    return lead.offers.select_related("registration").order_by("-offered_at", "-id").first()


@router.post("", response={200: LeadOut, 201: LeadOut, **ERRORS},
             summary="Add a lead (staff; the platform), idempotent by external_id")
def create_lead(request: HttpRequest, payload: LeadIn) -> Any:
    principal = principal_of(request)
    if principal.is_partner or not (principal.can(Ability.MANAGE_PARTNERS) or principal.can(Ability.INGEST)):
        raise PermissionDenied("adding a lead takes staff (manage partners) or a platform key")
    fields = DealFields(**payload.model_dump(exclude={"external_id"}))
    lead, created = services.lead_create(fields=fields, external_id=payload.external_id, actor=principal.actor)
    return Status(201 if created else 200, _lead(lead, _latest(lead), principal))


@router.get("", response={200: LeadPage, **ERRORS},
            summary="List leads (a partner: those offered to it; staff: all)")
def list_leads(request: HttpRequest, page: Query[PageParams], filters: Query[LeadListParams]) -> Any:
    principal = principal_of(request)
    principal.require(Ability.READ)
    if filters.status is not None:
        check_choice("status", filters.status, LeadStatus.values)
    if principal.is_partner:
        offers = offer_list(principal)
        window = offers[page.offset : page.offset + page.limit]
        return {"count": offers.count(), "limit": page.limit, "offset": page.offset,
                "items": [_lead(o.lead, o, principal) for o in window]}
    leads = lead_list(status=filters.status)
    window = leads.prefetch_related(Prefetch("offers", to_attr="history", queryset=LeadOffer.objects.select_related(
        "registration").order_by("-offered_at", "-id")))[page.offset : page.offset + page.limit]
    return {"count": leads.count(), "limit": page.limit, "offset": page.offset,
            "items": [_lead(lead, lead.history[0] if lead.history else None, principal) for lead in window]}


def _found(principal: Principal, lead_id: int) -> tuple[Lead, LeadOffer | None]:
    if principal.is_partner:
        offer = partner_offer(principal, lead_id)
        return offer.lead, offer
    lead = lead_get(lead_id)
    return lead, _latest(lead)


def _staff_lead(request: HttpRequest, lead_id: int) -> tuple[Principal, Lead]:
    principal = principal_of(request)
    if principal.is_partner:
        partner_offer(principal, lead_id)  # 404 for a lead never offered to it, before the 403
        raise PermissionDenied("the ranking and the offers of a lead are staff's")
    return principal, lead_get(lead_id)


@router.get("/{int:lead_id}/candidates", response={200: RankingOut, **ERRORS},
            summary="Rank the partners for a lead, with every reason (staff)")
def lead_candidates(request: HttpRequest, lead_id: PathId) -> Any:
    principal, lead = _staff_lead(request, lead_id)
    principal.require(Ability.READ)
    ranking = rank_partners(lead)
    return {
        "blocked": ranking.blocked, "weights": {k: str(v) for k, v in ranking.weights.items()},
        "candidates": [{"partner_id": c.partner.pk, "partner_name": c.partner.name, **c.snapshot(position)}
                       for position, c in enumerate(ranking.candidates, start=1)],
        "excluded": [{"partner_id": e.partner.pk, "partner_name": e.partner.name, "reason": e.reason}
                     for e in ranking.excluded],
    }


@router.post("/{int:lead_id}/offer", response={200: LeadOut, **ERRORS},
             summary="Offer a lead to a partner of its ranking (staff)")
def offer_lead(request: HttpRequest, lead_id: PathId, payload: OfferIn) -> Any:
    principal, lead = _staff_lead(request, lead_id)
    principal.require(Ability.MANAGE_PARTNERS)
    partner = scope_partners(principal).filter(pk=payload.partner_id).first()
    if partner is None:
        raise NotFound(f"partner {payload.partner_id} not found")
    offer = services.lead_offer(lead=lead, partner=partner, actor=principal.actor,
                                base_url=request.build_absolute_uri("/"))
    lead.refresh_from_db()
    return _lead(lead, offer, principal)


@router.get("/{int:lead_id}", response={200: LeadOut, **ERRORS}, summary="Read a lead")
def get_lead(request: HttpRequest, lead_id: PathId) -> Any:
    principal = principal_of(request)
    principal.require(Ability.READ)
    lead, offer = _found(principal, lead_id)
    return _lead(lead, offer, principal)


def _answering(request: HttpRequest, lead_id: int) -> tuple[Principal, LeadOffer]:
    principal = principal_of(request)
    if not principal.is_partner:
        lead_get(lead_id)  # 404 for a lead that does not exist, before the 403
        raise PermissionDenied("only the partner a lead is offered to accepts or declines it")
    offer = partner_offer(principal, lead_id)  # 404 for a lead never offered to it
    principal.require(Ability.REGISTER_DEALS)
    return principal, offer


@router.post("/{int:lead_id}/accept", response={200: LeadOut, **ERRORS},
             summary="Accept a lead offered to the partner: registers the deal in its name")
def accept_lead(request: HttpRequest, lead_id: PathId) -> Any:
    principal, offer = _answering(request, lead_id)
    accepted = services.lead_accept(offer=offer, actor=principal.actor)
    return _lead(accepted.lead, accepted.offer, principal)


@router.post("/{int:lead_id}/decline", response={200: LeadOut, **ERRORS},
             summary="Decline a lead offered to the partner, with a reason")
def decline_lead(request: HttpRequest, lead_id: PathId, payload: DeclineIn) -> Any:
    principal, offer = _answering(request, lead_id)
    declined = services.lead_decline(offer=offer, reason=payload.reason, actor=principal.actor)
    return _lead(declined.lead, declined, principal)
