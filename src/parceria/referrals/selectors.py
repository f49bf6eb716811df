"""Reads of referral links and coupons: which links a principal may see, each link's figures, and the partner a code
attributes to (registered with customers.attribution)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.customers.models import AttributionClaim, ClaimSource, Invoice
from parceria.partners.models import PartnerStatus
from parceria.referrals.models import CouponCode, ReferralClick, ReferralLink, normalise_coupon


def scope_referral_links(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The links `principal` may see: a partner credential its own, staff all."""
    return partner_owned(principal, queryset if queryset is not None else ReferralLink.objects.all())


def referral_partner(code: str) -> int | None:
    """The partner an active link's code attributes to, if the partner is active."""
    return (
        ReferralLink.objects.filter(code=code.strip().lower(), active=True, partner__status=PartnerStatus.ACTIVE)
        .values_list("partner_id", flat=True)
        .first()
    )


def coupon_partner(code: str) -> int | None:
    """The partner an active coupon code (any case) attributes to, if the partner is active."""
    return (
        CouponCode.objects.filter(code=normalise_coupon(code), active=True, partner__status=PartnerStatus.ACTIVE)
        .values_list("partner_id", flat=True)
        .first()
    )


@dataclass(frozen=True)
class LinkFigures:
    link: ReferralLink
    clicks: int
    sign_ups: int
    paying: int


def link_figures(principal: Principal) -> list[LinkFigures]:
    """Each visible link with its clicks, its sign-ups (customers attributed through its code) and those of them
    with a paid invoice, in three queries."""
    links = list(scope_referral_links(principal).annotate(click_count=Count("clicks")))
    if not links:
        return []
    partner_ids = {link.partner_id for link in links}
    won = AttributionClaim.objects.filter(
        partner_id__in=partner_ids, source=ClaimSource.REFERRAL, won=True, code__in=[link.code for link in links]
    )
    sign_ups = dict(won.values("code").annotate(n=Count("id")).values_list("code", "n"))
    paying = dict(
        won.filter(customer__in=Invoice.objects.values("customer_id")).values("code")
        .annotate(n=Count("id")).values_list("code", "n")
    )
    return [LinkFigures(link, link.click_count, sign_ups.get(link.code, 0), paying.get(link.code, 0)) for link in links]


def clicks_of(link: ReferralLink) -> QuerySet[ReferralClick]:
    return ReferralClick.objects.filter(link=link)
