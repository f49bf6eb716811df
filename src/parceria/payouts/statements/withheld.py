"""The taxes withheld from payouts as the statements show them (code, rule name, base, amount)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from parceria.payouts.models import Payout, PayoutWithholding


@dataclass(frozen=True)
class Withheld:
    code: str
    name: str
    base: Decimal
    amount: Decimal


def with_withholdings(payouts: QuerySet[Payout]) -> QuerySet[Payout]:
    """`payouts` with their withholdings (and rules) read in one more query."""
    return payouts.prefetch_related(
        Prefetch("withholdings", queryset=PayoutWithholding.objects.select_related("rule").order_by("code", "id"))
    )


def withheld(payout: Payout) -> tuple[Withheld, ...]:
    """The taxes withheld from a payout read with `with_withholdings`."""
    return tuple(Withheld(w.code, w.rule.name, w.base, w.amount) for w in payout.withholdings.all())
