"""What apps above customers do when the event intake records facts about customers, without the intake knowing
them: a plain list of functions per fact (no Django signals), registered in the reacting app's AppConfig.ready and
called in order of registration, inside the intake's transaction (a handler that raises rolls the batch back).

* `on_invoices_paid(handler)`: `handler(partner_ids=..., actor=..., now=...)` once per accepted batch that recorded
  paid invoices, with the referrers of those invoices' customers (enablement issues the certifications whose last
  missing requirement was a paying pilot customer).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from parceria.common.audit import Actor


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
