"""What apps above customers do when the event intake records facts about customers, without the intake knowing
them: a plain list of functions per fact (no Django signals), registered in the reacting app's AppConfig.ready and
called in order of registration, inside the intake's transaction (a handler that raises rolls the batch back).

* `on_invoices_paid(handler)`: `handler(partner_ids=..., actor=..., now=...)` once per accepted batch that recorded
  paid invoices, with the referrers of those invoices' customers (enablement issues the certifications whose last
  missing requirement was a paying pilot customer).
* `on_customers_created(handler)`: `handler(customers=..., actor=..., now=..., deal_registration_id=...)` inside the
  transaction of `customers.services.customer_create` (the one place customers are created: the customers API, the
  deals conversion, the demo), with the customers it created; `deal_registration_id` is the deal registration the
  creator named (`POST /api/v1/customers`), or None. A creation that names a registration calls the handlers even
  when the customer already existed (a retry), so the named registration is converted either way. The deals app
  converts the matching (or named) approved registration; a handler that raises rolls the creation back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from parceria.common.audit import Actor

if TYPE_CHECKING:
    from parceria.customers.models import Customer


class InvoicesPaidHandler(Protocol):
    def __call__(self, *, partner_ids: Iterable[int], actor: Actor, now: datetime) -> object: ...


_INVOICES_PAID: list[InvoicesPaidHandler] = []


def on_invoices_paid(handler: InvoicesPaidHandler) -> InvoicesPaidHandler:
    """Register `handler` (once: registering it again changes nothing)."""
    if handler not in _INVOICES_PAID:
        _INVOICES_PAID.append(handler)
    return handler


def invoices_paid(*, partner_ids: Iterable[int], actor: Actor, now: datetime) -> None:
    """Tell every handler that invoices of customers referred by `partner_ids` were recorded as paid at `now`."""
    ids = frozenset(partner_ids)
    if not ids:
        return
    for handler in list(_INVOICES_PAID):
        handler(partner_ids=ids, actor=actor, now=now)


class CustomersCreatedHandler(Protocol):
    def __call__(self, *, customers: Sequence[Customer], actor: Actor, now: datetime,
                 deal_registration_id: int | None) -> object: ...


_CUSTOMERS_CREATED: list[CustomersCreatedHandler] = []


def on_customers_created(handler: CustomersCreatedHandler) -> CustomersCreatedHandler:
    """Register `handler` (once: registering it again changes nothing)."""
    if handler not in _CUSTOMERS_CREATED:
        _CUSTOMERS_CREATED.append(handler)
    return handler


def customers_created(*, customers: Sequence[Customer], actor: Actor, now: datetime,
                      deal_registration_id: int | None = None) -> None:
    """Tell every handler that `customers` arrived at `now` (inside the creating transaction)."""
    if not customers:
        return
    for handler in list(_CUSTOMERS_CREATED):
        handler(customers=customers, actor=actor, now=now, deal_registration_id=deal_registration_id)
