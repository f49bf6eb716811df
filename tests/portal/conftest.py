"""A small world for the portal tests: partners A and B, each with users, customers, invoices, commission lines,
a closed month with a payout, and a dispute."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client

from parceria.accounts.services import user_create
from parceria.commissions.models import LedgerLine
from parceria.common.audit import Actor
from parceria.disputes.services import DisputeClaim, dispute_open
from parceria.partners.models import Partner
from parceria.payouts.close import period_close
from parceria.payouts.models import Payout
from tests.factories import SP, ingest, make_customer, make_partner, paid, refunded

MARCH = date(2026, 3, 1)
PASSWORD = "portal password 4 tests"
ACTOR = Actor.system("tests")


@dataclass
class Side:
    partner: Partner
    admin: Any
    member: Any
    customer: Any
    line: LedgerLine
    payout: Payout
    dispute: Any
    secrets: list[str] = field(default_factory=list)
    attachment: Any = None
    invitation: Any = None


def build_side(label: str, *, name: str, customer_name: str, invoice: str, tier: str = "preferred") -> Side:
    partner = make_partner(name=name, legal_name=f"{name} Ltda", tier=tier)
    admin = user_create(username=f"admin-{label}@example.com", email=f"admin-{label}@example.com", password=PASSWORD,
                        role="partner_admin", partner=partner, actor=ACTOR)
    member = user_create(username=f"member-{label}@example.com", email=f"member-{label}@example.com",
                         password=PASSWORD, role="partner_member", partner=partner, actor=ACTOR)
    customer = make_customer(partner, name=customer_name, external_id=f"cus_{label}_ext")
    ingest(paid(customer, "4000.00", invoice_id=invoice, at="2026-03-05T10:00:00-03:00"))
    ingest(paid(customer, "400.00", invoice_id=f"{invoice}_2", at="2026-03-12T10:00:00-03:00"))
    ingest(refunded(customer, f"{invoice}_2", "400.00", at="2026-03-20T10:00:00-03:00"))
    line = LedgerLine.objects.filter(partner=partner, kind="accrual").order_by("id").first()
    assert line is not None
    return Side(partner, admin, member, customer, line, None, None)  # type: ignore[arg-type]


def finish_side(side: Side) -> None:
    side.payout = Payout.objects.get(partner=side.partner)
    claim = DisputeClaim(ledger_line_id=side.line.pk, description=f"check {side.partner.name}")
    side.dispute = dispute_open(partner=side.partner, subject="ledger_line", claim=claim, actor=ACTOR)


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> dict[str, Side]:
    """A and B both have March lines; March is closed for both (one close pays every partner)."""
    a = build_side("a", name="Alfa Consultoria", customer_name="Padaria Alfa", invoice="inv_alfa")
    b = build_side("b", name="Bravo Digital", customer_name="Clinica Bravo Secreta", invoice="inv_bravo")
    period_close(month=MARCH, actor=ACTOR, now=datetime(2026, 4, 5, 10, 0, tzinfo=SP))
    for side in (a, b):
        finish_side(side)
    b.secrets = ["Bravo Digital", "Clinica Bravo Secreta", "cus_b_ext", "inv_bravo", "check Bravo Digital",
                 "admin-b@example.com", "member-b@example.com"]
    return {"a": a, "b": b}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world_tx(django_db_serialized_rollback, transactional_db):
    """The same world for tests that need on_commit callbacks to run (e-mails)."""
    a = build_side("a", name="Alfa Consultoria", customer_name="Padaria Alfa", invoice="inv_alfa")
    period_close(month=MARCH, actor=ACTOR, now=datetime(2026, 4, 5, 10, 0, tzinfo=SP))
    finish_side(a)
    return {"a": a}
