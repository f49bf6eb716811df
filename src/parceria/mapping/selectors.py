"""Reads of account mapping: which mappings a principal may see, the overlap counts by segment, the sharing level
in force and the matched accounts it lets both sides see; the overlap as the evidence of the evaluation criterion
"customer overlap" (SPEC §1.2)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.common.errors import NotFound
from parceria.mapping.models import (
    LEVEL_ORDER,
    AccountMapping,
    MappedAccount,
    PartnerSharing,
    ProgramSharing,
    SharingLevel,
)
from parceria.partners.models import Partner
from parceria.privacy.consent import has_consent
from parceria.privacy.models import ConsentPurpose


def scope_mappings(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The mappings `principal` may see: a partner credential its own, staff all."""
    return partner_owned(principal, queryset if queryset is not None else AccountMapping.objects.all())


def _count_of(**matched: Any) -> Coalesce:
    return Coalesce(Subquery(MappedAccount.objects.filter(mapping=OuterRef("pk"), **matched).order_by()
                             .values("mapping").annotate(n=Count("pk")).values("n")), 0)


def mapping_list(principal: Principal, *, partner_id: int | None = None) -> QuerySet[Any]:
    """The mappings `principal` may see, newest first, with their counts of our customers and open opportunities
    computed in the same query (`with_totals` pairs each with its total)."""
    qs = (scope_mappings(principal).select_related("partner").defer("salt", "issues")
          .annotate(our_customers=_count_of(customer__isnull=False),
                    our_open_opportunities=_count_of(opportunity__isnull=False)))
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    return qs.order_by("-created_at", "-id")


def mapping_get(principal: Principal, mapping_id: int) -> AccountMapping:
    """One mapping `principal` may see; another partner's is NotFound, as if it did not exist."""
    found = scope_mappings(principal).select_related("partner").defer("salt").filter(pk=mapping_id).first()
    if found is None:
        raise NotFound(f"account mapping {mapping_id} not found")
    return found


@dataclass(frozen=True)
class SegmentCounts:
    """The partner's accounts of one segment ("" for none; None for the total) and how many of them are our
    customers, our open opportunities, and not our customers."""

    segment: str | None
    accounts: int
    our_customers: int
    our_open_opportunities: int

    @property
    def not_ours(self) -> int:
        return self.accounts - self.our_customers


def mapping_counts(mapping: AccountMapping) -> tuple[list[SegmentCounts], SegmentCounts]:
    """The overlap by segment (by segment name) and in total."""
    rows = (MappedAccount.objects.filter(mapping=mapping).order_by().values("segment")
            .annotate(n=Count("pk"), customers=Count("customer"), opportunities=Count("opportunity")))
    segments = sorted((SegmentCounts(r["segment"], r["n"], r["customers"], r["opportunities"]) for r in rows),
                      key=lambda s: (s.segment == "", s.segment))
    total = SegmentCounts(None, sum(s.accounts for s in segments), sum(s.our_customers for s in segments),
                          sum(s.our_open_opportunities for s in segments))
    return segments, total


def with_totals(mappings: Any) -> list[tuple[AccountMapping, SegmentCounts]]:
    """(mapping, its total counts) for mappings read through `mapping_list`."""
    return [(m, SegmentCounts(None, m.accounts, m.our_customers, m.our_open_opportunities)) for m in mappings]


@dataclass(frozen=True)
class Levels:
    company: str
    partner: str
    company_is_program: bool

    @property
    def effective(self) -> str:
        return min(self.company, self.partner, key=LEVEL_ORDER.index)


def program_level() -> str:
    """The company's program-wide sharing level (counts only until staff set one)."""
    program = ProgramSharing.objects.filter(pk=1).first()
    return program.company_level if program else SharingLevel.COUNTS


def sharing_levels(partner: Partner | int) -> Levels:
    """Both sides' sharing levels for a partner and, as `effective`, the lower of the two."""
    partner_id = partner if isinstance(partner, int) else partner.pk
    own = PartnerSharing.objects.filter(partner_id=partner_id).first()
    company = own.company_level if own and own.company_level else ""
    if not company:
        company = program_level()
    # The partner shares matched accounts only with its consent in force (privacy.consent): without it, or once
    # withdrawn, its side is "counts only", whatever level it chose.
    level = own.partner_level if own else SharingLevel.COUNTS
    if level != SharingLevel.COUNTS and not has_consent(purpose=ConsentPurpose.ACCOUNT_MAPPING, partner_id=partner_id):
        level = SharingLevel.COUNTS
    return Levels(company=company, partner=level, company_is_program=not (own and own.company_level))


def matched_accounts(mapping: AccountMapping, level: str) -> QuerySet[Any]:
    """The accounts both sides agreed to show: none at `counts`; those that are our customers at `overlaps`; those
    that are our customers or our open opportunities at `all`."""
    qs = MappedAccount.objects.filter(mapping=mapping).select_related("customer", "opportunity")
    if level == SharingLevel.OVERLAPS:
        return qs.filter(customer__isnull=False)
    if level == SharingLevel.ALL:
        return qs.filter(Q(customer__isnull=False) | Q(opportunity__isnull=False))
    return qs.none()


@dataclass(frozen=True)
class Overlap:
    """The evidence of the evaluation criterion "customer overlap": of the partner's accounts in its latest
    mapping, how many are our customers, and the share in percent (one decimal)."""

    mapping: AccountMapping
    accounts: int
    our_customers: int

    @property
    def percent(self) -> Decimal:
        if not self.accounts:
            return Decimal("0.0")
        return (Decimal(100) * self.our_customers / self.accounts).quantize(Decimal("0.1"), ROUND_HALF_EVEN)


def customer_overlap(partner: Partner | int) -> Overlap | None:
    """The overlap of the partner's latest mapping, or None when it has mapped no list."""
    partner_id = partner if isinstance(partner, int) else partner.pk
    latest = AccountMapping.objects.filter(partner_id=partner_id).defer("salt", "issues").order_by(
        "-created_at", "-id").first()
    if latest is None:
        return None
    _, total = mapping_counts(latest)
    return Overlap(latest, total.accounts, total.our_customers)
