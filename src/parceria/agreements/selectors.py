"""Reads for agreements: lists, computed dates, exclusivity held by others, the approved joint business plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.agreements.dates import current_term_end, next_renewal_date, notice_deadline
from parceria.agreements.models import Agreement, AgreementStatus, AgreementTerm, AgreementType, PlanApproval, TermKind
from parceria.partners.models import Partner


@dataclass(frozen=True)
class AgreementDates:
    term_end: date | None
    renewal: date | None
    notice_deadline: date | None


def agreement_dates(agreement: Agreement, on: date) -> AgreementDates:
    rule = agreement.rule
    return AgreementDates(current_term_end(rule, on), next_renewal_date(rule, on), notice_deadline(rule, on))


def scope_agreements(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The agreements `principal` may see: staff see all; a partner sees its own once they are past draft (a draft
    is staff's work in progress, not yet an agreement with the partner)."""
    qs = partner_owned(principal, queryset if queryset is not None else Agreement.objects.all())
    return qs.exclude(status=AgreementStatus.DRAFT) if principal.is_partner else qs


def agreement_list(
    *, queryset: QuerySet[Agreement] | None = None, partner_id: int | None = None, type: str = "", status: str = ""
) -> QuerySet[Agreement]:
    qs = (queryset if queryset is not None else Agreement.objects.all()).select_related("partner")
    if partner_id:
        qs = qs.filter(partner_id=partner_id)
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-start_date", "-id")


def has_approved_joint_business_plan(partner: Partner | int, on: date) -> bool:
    """Whether the partner has an approved joint business plan in force on `on` (a tier requirement)."""
    partner_id = partner if isinstance(partner, int) else partner.pk
    plans = Agreement.objects.filter(
        partner_id=partner_id,
        type=AgreementType.JOINT_BUSINESS_PLAN,
        plan_approval=PlanApproval.APPROVED,
        start_date__lte=on,
    ).exclude(status=AgreementStatus.DRAFT)
    return any(plan.in_force_on(on) for plan in plans)


@dataclass(frozen=True)
class Exclusivity:
    kind: str  # territory_exclusivity or vertical_exclusivity
    value: str
    partner_id: int
    agreement_id: int


def exclusivities_held_by_others(partner: Partner | int | None, on: date) -> list[Exclusivity]:
    """Exclusive territories and verticals granted by agreements in force on `on` to partners other than
    `partner` (None: all partners) — what a deal registration must respect."""
    partner_id = partner if isinstance(partner, int) or partner is None else partner.pk
    terms = (
        AgreementTerm.objects.filter(
            kind__in=[TermKind.TERRITORY_EXCLUSIVITY, TermKind.VERTICAL_EXCLUSIVITY],
            agreement__status=AgreementStatus.ACTIVE,
        )
        .exclude(agreement__partner_id=partner_id or 0)
        .select_related("agreement")
        .order_by("kind", "value", "id")
    )
    return [
        Exclusivity(t.kind, t.value, t.agreement.partner_id, t.agreement_id)
        for t in terms
        if t.agreement.in_force_on(on)
    ]


def agreement_row(agreement: Agreement, on: date) -> dict[str, Any]:
    dates = agreement_dates(agreement, on)
    return {"agreement": agreement, "term_end": dates.term_end, "renewal": dates.renewal,
            "notice_deadline": dates.notice_deadline}
