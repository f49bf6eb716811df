"""Reads of customers."""

from __future__ import annotations

from parceria.customers.models import Customer, Invoice
from parceria.partners.models import Partner


def customers_with_revenue(partner: Partner) -> int:
    """Customers attributed to the partner with at least one paid invoice."""
    return Customer.objects.filter(partner=partner, pk__in=Invoice.objects.values("customer_id")).count()
