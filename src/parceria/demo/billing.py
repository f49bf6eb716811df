"""What the platform reports about a customer each month, as intake events (pure: no database).

Each month a billed customer pays one invoice for its service period (the calendar month, or from the
sign-up day in the first month, prorated) on its billing day, the day of the month it signed up, at an hour
of its own (mostly office hours, some in the evening or at night). Customers that use integrations first
record their usage of the period so far, split between direct use and their integration partners, so the
invoice's integration revenue share can be computed. About 2 % of invoices are refunded (fully or in
part) some days later; some customers answer a satisfaction survey; churned customers leave with a
`customer.churned` event and pay no more.

Prices come from a plan list in BRL scaled per currency, adjusted each January (BRL, MXN, COP, CLP) or
monthly (ARS, for inflation); extra users cost 10 % of the plan each; customers of accelerators get 50 %
off for their first six months (seed §2.2). Amounts have 2 decimal places (whole pesos for CLP).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from parceria.common.money import get_currency
from parceria.demo.customers import USAGE_SCALE, CustomerSpec
from parceria.demo.partners import PartnerSpec
from parceria.demo.timeline import DemoCalendar, local_iso

PLAN_NAMES = ("Starter", "Essencial", "Profissional", "Business", "Empresarial", "Enterprise")
PLAN_PRICES_BRL = tuple(Decimal(p) for p in ("199", "449", "899", "1790", "2990", "4999"))
PRICE_FACTORS = {
    "BRL": Decimal(1),
    "MXN": Decimal("3.5"),
    "COP": Decimal(750),
    "ARS": Decimal(200),
    "CLP": Decimal(180),
}
ANNUAL_ADJUSTMENT = {"BRL": Decimal("1.045"), "MXN": Decimal("1.04"), "COP": Decimal("1.05"), "CLP": Decimal("1.04")}
ARS_MONTHLY_ADJUSTMENT = Decimal("1.025")
SEAT_SHARE = Decimal("0.10")
ACCELERATOR_DISCOUNT = Decimal("0.5")

REFUND_RATE = 0.02
FULL_REFUND_SHARE = 0.6
CSAT_RESPONSE_RATE = 0.08
UPGRADE_RATE = 0.015


def price_index(calendar: DemoCalendar, month: int) -> dict[str, Decimal]:
    """Per currency, the factor list prices have grown by since the window's first month."""
    januaries = sum(1 for m in range(1, month + 1) if calendar.first_day(m).month == 1)
    index = {currency: factor**januaries for currency, factor in ANNUAL_ADJUSTMENT.items()}
    index["ARS"] = ARS_MONTHLY_ADJUSTMENT ** max(month, 0)
    return index


def to_currency(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit (cents; whole pesos for CLP)."""
    return amount.quantize(get_currency(currency).minor_unit, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Month:
    """What every customer's events in one month need to know."""

    calendar: DemoCalendar
    month: int
    partners: Sequence[PartnerSpec]
    partner_ids: Sequence[int]
    index: Mapping[str, Decimal]

    @classmethod
    def of(cls, calendar: DemoCalendar, month: int, partners: Sequence[PartnerSpec], ids: Sequence[int]) -> Month:
        return cls(calendar, month, partners, ids, price_index(calendar, month))


def invoice_amount(customer: CustomerSpec, month: Month, period_start: date, period_end: date) -> Decimal:
    currency = customer.currency
    price = PLAN_PRICES_BRL[customer.plan] * PRICE_FACTORS[currency] * month.index[currency]
    price *= 1 + SEAT_SHARE * customer.seats
    if month.month < customer.discount_until:
        price *= ACCELERATOR_DISCOUNT
    days = (period_end - period_start).days + 1
    if days < month.calendar.days_in(month.month):
        price = price * days / month.calendar.days_in(month.month)
    return to_currency(price, currency)


def _key(customer: CustomerSpec, month: Month) -> str:
    return f"{customer.index:06d}_{month.calendar.compact(month.month)}"


def _event(customer: CustomerSpec, kind: str, event_id: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "occurred_at": at, "customer": customer.external_id, **fields}


def _random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


#: Local hours invoices are paid at, and how often (card payments run all day, most in office hours).
PAYMENT_HOURS = tuple(range(1, 24))
PAYMENT_HOUR_WEIGHTS = (1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1)


def billing_day(customer: CustomerSpec, month: Month) -> date:
    """The day the customer pays in `month`: the day of the month it signed up (capped at the month's end)."""
    return month.calendar.day(month.month, customer.start_day)


def usage_events(
    customer: CustomerSpec, month: Month, rng: random.Random, period: tuple[date, date]
) -> list[dict[str, Any]]:
    """The period's usage so far, as the platform's nightly summary reports it just after midnight of the billing
    day (before the invoice): one event per integration used, and one for direct use (if any is left)."""
    if not customer.integrations:
        return []
    total = max(1, round(customer.usage_scale * rng.uniform(0.6, 1.4)))
    parts: list[tuple[int | None, int]] = [
        (month.partner_ids[index], round(total * share))
        for index, share in customer.integrations
        if month.partners[index].integrates_in(month.month)
    ]
    parts.append((None, total - sum(q for _, q in parts)))
    events = []
    for n, (partner_id, quantity) in enumerate(parts):
        if quantity <= 0:
            continue
        at = local_iso(customer.country, billing_day(customer, month), 0, rng.randint(0, 59))
        extra = {} if partner_id is None else {"integration_partner_id": partner_id}
        events.append(
            _event(
                customer,
                "usage.recorded",
                f"evt_demo_use_{_key(customer, month)}_{n}",
                at,
                quantity=str(quantity),
                **extra,
            )
        )
    return events


def invoice_event(
    customer: CustomerSpec, month: Month, rng: random.Random, period: tuple[date, date]
) -> dict[str, Any]:
    key = _key(customer, month)
    hour = rng.choices(PAYMENT_HOURS, weights=PAYMENT_HOUR_WEIGHTS)[0]
    at = local_iso(customer.country, billing_day(customer, month), hour, rng.randint(0, 59))
    amount = invoice_amount(customer, month, *period)
    return _event(
        customer,
        "invoice.paid",
        f"evt_demo_inv_{key}",
        at,
        invoice_id=f"inv_demo_{key}",
        amount=str(amount),
        currency=customer.currency,
        period_start=period[0].isoformat(),
        period_end=period[1].isoformat(),
    )


def refund_event(
    customer: CustomerSpec, month: Month, rng: random.Random, invoice: dict[str, Any]
) -> dict[str, Any] | None:
    """Now and then a refund, full or partial, 2–20 days after payment (none that would fall after the window)."""
    if rng.random() >= REFUND_RATE:
        return None
    day = date.fromisoformat(invoice["occurred_at"][:10]) + timedelta(days=rng.randint(2, 20))
    paid = Decimal(invoice["amount"])
    full = rng.random() < FULL_REFUND_SHARE
    amount = paid if full else to_currency(paid * rng.randint(2, 10) / 20, customer.currency)  # 10–50 %
    if day > month.calendar.window_end or not 0 < amount <= paid:
        return None
    at = local_iso(customer.country, day, rng.randint(9, 18), rng.randint(0, 59))
    return _event(
        customer,
        "invoice.refunded",
        f"evt_demo_ref_{_key(customer, month)}",
        at,
        invoice_id=invoice["invoice_id"],
        amount=str(amount),
        currency=customer.currency,
    )


def csat_event(customer: CustomerSpec, month: Month, rng: random.Random, score: int | None = None) -> dict[str, Any]:
    calendar = month.calendar
    day = _random_day(rng, calendar.first_day(month.month), calendar.day(month.month, 25))
    score = score if score is not None else min(5, max(1, round(rng.gauss(customer.csat_mean, 0.7))))
    at = local_iso(customer.country, day, rng.randint(11, 16), rng.randint(0, 59))
    return _event(customer, "customer.csat", f"evt_demo_csat_{_key(customer, month)}", at, score=score)


def churn_events(customer: CustomerSpec, month: Month, rng: random.Random) -> list[dict[str, Any]]:
    """A leaving customer often answers a last survey unhappily, then cancels."""
    events = [csat_event(customer, month, rng, score=rng.randint(1, 3))] if rng.random() < 0.5 else []
    day = month.calendar.day(month.month, rng.randint(1, 20))
    at = local_iso(customer.country, day, rng.randint(9, 18), rng.randint(0, 59))
    events.append(_event(customer, "customer.churned", f"evt_demo_churn_{customer.index:06d}", at))
    return events


def _evolve(customer: CustomerSpec, rng: random.Random) -> None:
    """Between months a customer may upgrade its plan or change its number of extra users."""
    if customer.plan < len(PLAN_PRICES_BRL) - 1 and rng.random() < UPGRADE_RATE:
        customer.plan += 1
        customer.usage_scale = USAGE_SCALE[customer.plan]
    draw = rng.random()
    if draw < 0.05:
        customer.seats = min(customer.seats + 1, 8)
    elif draw < 0.07:
        customer.seats = max(customer.seats - 1, 0)


def customer_month_events(customer: CustomerSpec, month: Month, rng: random.Random) -> list[dict[str, Any]]:
    """All events of one customer in one month, in the order they must be ingested."""
    m, calendar = month.month, month.calendar
    if customer.churn_month == m:
        return churn_events(customer, month, rng)
    if not customer.active_in(m):
        return []
    first = calendar.day(m, customer.start_day) if m == customer.start_month else calendar.first_day(m)
    period = (first, calendar.last_day(m))
    events = usage_events(customer, month, rng, period)
    invoice = invoice_event(customer, month, rng, period)
    events.append(invoice)
    refund = refund_event(customer, month, rng, invoice)
    if refund is not None:
        events.append(refund)
    if rng.random() < CSAT_RESPONSE_RATE:
        events.append(csat_event(customer, month, rng))
    _evolve(customer, rng)
    return events
