"""Reads of referral links and coupons: which links a principal may see, each link's figures, and the partner a code
attributes to (registered with customers.attribution)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.customers.models import AttributionClaim, ClaimSource, Invoice
from parceria.partners.models import Partner, PartnerStatus
from parceria.referrals.models import CouponCode, ReferralClick, ReferralLink, normalise_coupon


def scope_referral_links(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The links `principal` may see: a partner credential its own, staff all."""
    return partner_owned(principal, queryset if queryset is not None else ReferralLink.objects.all())


#: The redirect's lookup, written once as SQL: it runs on every visit of a link, and building and compiling the same
#: ORM query each time cost more than running it (about 0.3 ms of a 1 ms redirect on SQLite;
#: bench/referral_redirect.py).
_LINK_FOR_CODE = (
    f"SELECT link.id, link.code, link.landing_url, link.partner_id FROM {ReferralLink._meta.db_table} link "
    f"INNER JOIN {Partner._meta.db_table} partner ON partner.id = link.partner_id "
    "WHERE link.code = %s AND link.active AND partner.status = %s"
)


def link_for_code(code: str) -> ReferralLink | None:
    """The active link of `code` (as typed: any case, surrounding space) whose partner is active, with only `id`,
    `code`, `landing_url` and `partner_id` loaded; None for anything else. Text that cannot be a code (anything but
    ASCII letters and digits, or longer than 32 characters) never reaches a query."""
    code = code.strip().lower()
    if not (code.isascii() and code.isalnum() and len(code) <= 32):
        return None
    return next(iter(ReferralLink.objects.raw(_LINK_FOR_CODE, [code, PartnerStatus.ACTIVE.value])), None)


def referral_partner(code: str) -> tuple[int, str] | None:
    """The partner an active link's code (any case) attributes to, if the partner is active, and the code as
    stored."""
    return (
        ReferralLink.objects.filter(code=code.strip().lower(), active=True, partner__status=PartnerStatus.ACTIVE)
        .values_list("partner_id", "code")
        .first()
    )


def coupon_partner(code: str) -> tuple[int, str] | None:
    """The partner an active coupon code (any case) attributes to, if the partner is active, and the code as
    stored."""
    return (
        CouponCode.objects.filter(code=normalise_coupon(code), active=True, partner__status=PartnerStatus.ACTIVE)
        .values_list("partner_id", "code")
        .first()
    )


@dataclass(frozen=True)
class LinkFigures:
    link: ReferralLink
    clicks: int
    sign_ups: int
    paying: int


def link_figures(principal: Principal) -> list[LinkFigures]:
    """Each link `principal` may see, with its figures (`figures_of`)."""
    return figures_of(list(scope_referral_links(principal)))


def figures_of(links: list[ReferralLink]) -> list[LinkFigures]:
    """The links with their clicks, their sign-ups (customers attributed through their code) and those of them
    with a paid invoice, in three queries."""
    if not links:
        return []
    partner_ids = {link.partner_id for link in links}
    won = AttributionClaim.objects.filter(
        partner_id__in=partner_ids, source=ClaimSource.REFERRAL, won=True, code__in=[link.code for link in links]
    )
    sign_ups = dict(won.values("code").annotate(n=Count("id")).values_list("code", "n"))
    clicks = dict(
        ReferralClick.objects.filter(link__in=[link.pk for link in links]).values("link_id")
        .annotate(n=Count("id")).values_list("link_id", "n")
    )
    paying = dict(
        won.filter(customer__in=Invoice.objects.values("customer_id")).values("code")
        .annotate(n=Count("id")).values_list("code", "n")
    )
    return [
        LinkFigures(link, clicks.get(link.pk, 0), sign_ups.get(link.code, 0), paying.get(link.code, 0))
        for link in links
    ]
