"""The events the benchmark sends, generated deterministically and serialised before any timing.

Each batch of (up to) 1,000 events holds, in this order:
* usage.recorded events (~10%): two per customer, one through an integration partner and one direct,
* invoice.paid events: first one for each of those usage customers (so the integration share is accrued
  from usage sent earlier in the same batch), then invoices of random customers,
* re-sent events (~5%): copies of events from batches at least `dup_lag` batches earlier, which the
  intake must count as duplicates.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import orjson

from _common import customer_external_id, is_attributed

INVOICE_AT = "2026-03-31T12:00:00-03:00"
USAGE_AT = "2026-03-15T10:00:00-03:00"
PERIOD = ("2026-03-01", "2026-03-31")


@dataclass(frozen=True)
class Mix:
    customers: int
    integrators: list[int]
    batch_size: int = 1000
    usage_share: float = 0.10
    duplicate_share: float = 0.05
    dup_lag: int = 8
    seed: int = 2026
    prefix: str = "ev"


@dataclass
class Workload:
    """What will be sent, with the expectations the verification checks against."""

    batches: list[list[dict[str, Any]]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    unique: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    usage: int = 0
    invoices: int = 0
    referral_invoices: int = 0

    @property
    def sent(self) -> int:
        return len(self.unique) + self.duplicates


class _Generator:
    def __init__(self, mix: Mix, workload: Workload) -> None:
        self.mix = mix
        self.rng = random.Random(mix.seed)
        self.w = workload
        self.seq = 0
        self.batch_ends: list[int] = []  # len(unique) after each batch

    def _id(self, kind: str) -> str:
        self.seq += 1
        return f"{self.mix.prefix}-{kind}-{self.seq:07d}"

    def usage(self, k: int, partner_id: int | None) -> dict[str, Any]:
        self.w.usage += 1
        event: dict[str, Any] = {"id": self._id("use"), "type": "usage.recorded", "occurred_at": USAGE_AT,
                 "customer": customer_external_id(k), "quantity": str(self.rng.randint(1, 50))}
        if partner_id is not None:
            event["integration_partner_id"] = partner_id
        return event

    def invoice(self, k: int) -> dict[str, Any]:
        self.w.invoices += 1
        self.w.referral_invoices += is_attributed(k)
        event_id = self._id("inv")
        return {"id": event_id, "type": "invoice.paid", "occurred_at": INVOICE_AT, "customer": customer_external_id(k),
                "invoice_id": f"in-{event_id}", "amount": f"{self.rng.randint(10, 5000)}.{self.rng.randint(0, 99):02d}",
                "currency": "BRL", "period_start": PERIOD[0], "period_end": PERIOD[1]}

    def resent(self, count: int) -> list[dict[str, Any]]:
        batch_no = len(self.batch_ends)
        if batch_no < self.mix.dup_lag:
            return []
        pool_end = self.batch_ends[batch_no - self.mix.dup_lag]
        picks = self.rng.sample(range(pool_end), min(count, pool_end))
        self.w.duplicates += len(picks)
        return [self.w.unique[i] for i in picks]

    def batch(self, size: int) -> list[dict[str, Any]]:
        dups = self.resent(round(size * self.mix.duplicate_share))
        usage_customers = self.rng.sample(range(self.mix.customers), round(size * self.mix.usage_share) // 2)
        fresh: list[dict[str, Any]] = []
        for k in usage_customers:
            fresh.append(self.usage(k, self.rng.choice(self.mix.integrators)))
            fresh.append(self.usage(k, None))
        fresh.extend(self.invoice(k) for k in usage_customers)
        while len(fresh) + len(dups) < size:
            fresh.append(self.invoice(self.rng.randrange(self.mix.customers)))
        self.w.unique.extend(fresh)
        self.batch_ends.append(len(self.w.unique))
        return fresh + dups


def build_workload(mix: Mix, events: int) -> Workload:
    """`events` items in batches of `mix.batch_size`, each batch serialised as a POST /api/v1/events body."""
    workload = Workload()
    generator = _Generator(mix, workload)
    remaining = events
    while remaining > 0:
        size = min(mix.batch_size, remaining)
        batch = generator.batch(size)
        workload.batches.append(batch)
        workload.bodies.append(orjson.dumps({"events": batch}))
        remaining -= size
    return workload


def baseline_rows(workload: Workload) -> list[tuple[str, str, str, str, str]]:
    """The unique events as rows of a plain table: id, type, occurred_at, customer, payload (JSON text)."""
    return [(e["id"], e["type"], e["occurred_at"], e["customer"], orjson.dumps(e).decode()) for e in workload.unique]
