"""Reads for the console's own pages: the counts that need attention, a partner's page and the search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from parceria.accounts.models import User
from parceria.commissions.selectors import ledger_lines_for, partner_balances
from parceria.common.dbsum import exact_sums
from parceria.common.models import AuditRecord
from parceria.customers.models import Customer, EventBatch, Invoice
from parceria.disputes.models import ACTIVE_DISPUTE_STATUSES, Adjustment, AdjustmentStatus, Dispute
from parceria.disputes.selectors import overdue_q
from parceria.partners.models import Partner, PartnerTerms
from parceria.payouts.informe import paid_years
from parceria.payouts.models import Payout
from parceria.payouts.selectors import late_payouts, payout_rows
from parceria.payouts.services import batches_with_state
from parceria.tiers.selectors import tier_overview

SEARCH_LIMIT = 20




@dataclass(frozen=True)
class Attention:
    disputes_overdue: int
    disputes_open: int
    adjustments_waiting: int
    batches_waiting: int
    rejected_events: int
    late_payouts: int


def attention() -> Attention:
    now = timezone.now()
    disputes = Dispute.objects.aggregate(
        overdue=Count("pk", filter=overdue_q(now)),
        open=Count("pk", filter=Q(status__in=[s.value for s in ACTIVE_DISPUTE_STATUSES])),
    )
    week = EventBatch.objects.filter(received_at__gte=now - timedelta(days=7)).exclude(rejected=[])
    return Attention(
        disputes_overdue=disputes["overdue"],
        disputes_open=disputes["open"],
        adjustments_waiting=Adjustment.objects.filter(status=AdjustmentStatus.PENDING_APPROVAL).count(),
        batches_waiting=sum(1 for _, state in batches_with_state() if not state.approved),
        rejected_events=sum(len(rejected) for rejected in week.values_list("rejected", flat=True)),
        late_payouts=late_payouts().count(),
    )


def partner_overview(partner: Partner) -> dict[str, Any]:
    """Everything about one partner, for its page in the console."""
    customers = Customer.objects.filter(partner=partner)
    revenue = exact_sums(Invoice.objects.filter(customer__partner=partner), "amount", "currency")
    payouts = Payout.objects.filter(partner=partner).order_by("-batch__period", "-id")[:12]
    return {
        "balances": partner_balances(partner),
        "terms": list(PartnerTerms.objects.filter(partner=partner).order_by("-created_at", "-id")[:5]),
        "ledger": list(ledger_lines_for(partner)[:10]),
        "customers_count": customers.count(),
        "customers_active": customers.filter(status="active").count(),
        "revenue": sorted((str(currency), Decimal(total)) for currency, total in revenue.items()),
        "payouts": payout_rows(payouts),
        "income_years": paid_years(partner),
        "disputes": list(Dispute.objects.filter(partner=partner).order_by("-opened_at", "-id")[:10]),
        "adjustments": list(Adjustment.objects.filter(partner=partner).order_by("-requested_at", "-id")[:10]),
        "users": list(User.objects.filter(partner=partner).order_by("username")),
        "tier": tier_overview(partner),
        "audit": list(AuditRecord.objects.filter(object_type="partners.partner", object_id=str(partner.pk))
                      .order_by("-at", "-id")[:10]),
    }


def search(text: str) -> dict[str, list[Any]]:
    """Partners by name, legal name or tax id; customers by name, external id, domain or tax id."""
    text = text.strip()
    if len(text) < 2:
        return {"partners": [], "customers": []}
    compact = "".join(ch for ch in text if ch.isalnum())
    tax = Q(tax_id__icontains=compact) if compact else Q(pk__in=[])
    partners = Partner.objects.filter(Q(name__icontains=text) | Q(legal_name__icontains=text) | tax)
    customers = Customer.objects.select_related("partner").filter(
        Q(name__icontains=text) | Q(external_id__icontains=text) | Q(domain__icontains=text) | tax
    )
    return {
        "partners": list(partners.order_by("name")[:SEARCH_LIMIT]),
        "customers": list(customers.order_by("name")[:SEARCH_LIMIT]),
    }
