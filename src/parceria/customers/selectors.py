"""Reads of customers for the pages."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from parceria.accounts.tenancy import Principal, scope_customers
from parceria.common.dbsum import exact_sums
from parceria.customers.models import Customer, Invoice


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
