"""Referral links API (docs/referrals.md): `GET /api/v1/referral-links` (a partner key: its own links; staff: all,
or one partner's with `partner_id`) and `POST /api/v1/referral-links` (a partner key for its own partner; staff
naming `partner_id`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict

from parceria.accounts.tenancy import Ability, Principal
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, Page, PageParams, RowId, StrictRowId, declared
from parceria.common.errors import InvalidInput, NotFound
from parceria.partners.models import Partner
from parceria.partners.selectors import scoped_partner
from parceria.referrals import selectors, services
from parceria.referrals.models import ReferralLink

router = Router(tags=["referrals"])


class ReferralLinkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    landing_url: str = declared(
        "", maxLength=services.MAX_LANDING,
        description="An http or https address; `ref=<code>` is added to its query. Blank: the default landing.",
    )
    partner_id: StrictRowId | None = declared(
        None, description="Staff: the partner the link is for (required). A partner key: omit it (or its own id)."
    )


class ReferralLinkOut(Schema):
    id: int
    partner_id: int
    code: str
    url: str
    landing_url: str
    active: bool
    created_at: datetime
    clicks: int
    sign_ups: int
    paying_customers: int


class ReferralLinkPage(Page):
    items: list[ReferralLinkOut]


def _out(request: HttpRequest, figures: selectors.LinkFigures) -> dict[str, Any]:
    link = figures.link
    return {
        "id": link.pk, "partner_id": link.partner_id, "code": link.code,
        "url": request.build_absolute_uri(reverse("referrals:follow", args=[link.code])),
        "landing_url": link.landing_url, "active": link.active, "created_at": link.created_at,
        "clicks": figures.clicks, "sign_ups": figures.sign_ups, "paying_customers": figures.paying,
    }


def _partner_for_new_link(principal: Principal, partner_id: int | None) -> Partner:
    """A partner key creates links for its own partner; staff who manage partners name the partner."""
    if principal.is_partner:
        partner = scoped_partner(principal, principal.partner_id or 0)
        if partner is None or partner_id not in (None, partner.pk):
            raise NotFound("no such partner", code="not_found")
        return partner
    principal.require(Ability.MANAGE_PARTNERS)
    if partner_id is None:
        raise InvalidInput("partner_id is required", code="partner_required", details={"field": "partner_id"})
    partner = scoped_partner(principal, partner_id)
    if partner is None:
        raise InvalidInput(f"partner {partner_id} does not exist", code="unknown_partner",
                           details={"field": "partner_id"})
    return partner


@router.get("", response={200: ReferralLinkPage, **ERRORS}, summary="List referral links")
def list_links(request: HttpRequest, page: Query[PageParams], partner_id: RowId | None = None) -> Any:
    principal = principal_of(request)
    principal.require(Ability.READ)
    links = selectors.scope_referral_links(principal).order_by("id")
    if partner_id is not None:
        links = links.filter(partner_id=partner_id)
    window: list[ReferralLink] = list(links[page.offset : page.offset + page.limit])
    return {
        "count": links.count(), "limit": page.limit, "offset": page.offset,
        "items": [_out(request, f) for f in selectors.figures_of(window)],
    }


@router.post("", response={201: ReferralLinkOut, **ERRORS}, summary="Create a referral link")
def create_link(request: HttpRequest, payload: ReferralLinkIn) -> Any:
    principal = principal_of(request)
    partner = _partner_for_new_link(principal, payload.partner_id)
    link = services.link_create(partner=partner, landing_url=payload.landing_url, actor=principal.actor)
    return Status(201, _out(request, selectors.figures_of([link])[0]))
