"""Reads of customers for the pages and the lifecycle gates, and which customers a principal may see (the tenancy
scoping of the customer family)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from parceria.accounts.tenancy import Principal, partner_owned
from parceria.common.dbsum import exact_sums
from parceria.customers.models import Customer, Invoice
from parceria.partners.models import Partner


def scope_customers(principal: Principal, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The customers `principal` may see: a partner credential those attributed to it, staff all."""
    return partner_owned(principal, queryset if queryset is not None else Customer.objects.all())


def pilot_customers_with_revenue(partner: Partner) -> int:
    """Customers attributed to the partner with at least one paid invoice."""
    return Customer.objects.filter(partner=partner, pk__in=Invoice.objects.values("customer_id")).count()


def customers_with_revenue(principal: Principal) -> QuerySet[Customer]:
    """The partner's customers, each annotated with `revenue_sort` (SUM of paid invoices, for ordering only:
    shown amounts come exact from `customer_revenue`)."""
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=20, decimal_places=4))
    return scope_customers(principal).annotate(revenue_sort=Coalesce(Sum("invoices__amount"), zero))


def customer_revenue(customer_ids: list[int]) -> dict[int, list[tuple[str, Decimal]]]:
    """Exact revenue (paid invoices) per customer and currency, in one query."""
    sums = exact_sums(Invoice.objects.filter(customer_id__in=customer_ids), "amount", "customer_id", "currency")
    result: dict[int, list[tuple[str, Decimal]]] = {}
    for key, total in sums.items():
        assert isinstance(key, tuple)
        result.setdefault(int(key[0]), []).append((str(key[1]), total))
    for amounts in result.values():
        amounts.sort()
    return result
