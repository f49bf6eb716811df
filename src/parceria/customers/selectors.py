"""Reads of customers, and which customers a principal may see (the tenancy scoping of the customer family)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.customers.models import Customer, Invoice
from parceria.partners.models import Partner


def scope_customers(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The customers `principal` may see: a partner credential those attributed to it, staff all."""
    return partner_owned(principal, queryset if queryset is not None else Customer.objects.all())


def customers_with_revenue(partner: Partner) -> int:
    """Customers attributed to the partner with at least one paid invoice."""
    return Customer.objects.filter(partner=partner, pk__in=Invoice.objects.values("customer_id")).count()
