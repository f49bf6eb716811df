"""ARR from referred customers, net of refunds and in R$: refunds of the current invoice are deducted (a fully
refunded one counts 0) and invoices in other currencies convert with the intake's FX look-up, exactly at the
R$ 50,000.00 boundary of the preferred tier."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from parceria.common.models import FxRate
from parceria.tiers.metrics import partner_metrics
from tests.factories import at, ingest, make_customer, make_partner, paid, refunded
from tests.tiers.test_assessment import NOW, check, evidence

pytestmark = pytest.mark.django_db
APRIL = ("2026-04-01", "2026-04-30")


def _invoice(customer, amount: str, invoice_id: str, currency: str = "BRL") -> None:
    event = paid(
        customer, amount, invoice_id=invoice_id, at="2026-04-02T10:00:00-03:00", currency=currency, period=APRIL
    )
    assert ingest(event).accepted == 1


def _refund(
    customer, invoice_id: str, amount: str, when: str = "2026-04-05T10:00:00-03:00", currency: str = "BRL"
) -> None:
    assert ingest(refunded(customer, invoice_id, amount, at=when, currency=currency)).accepted == 1


def _rate(base: str, rate: str, day: date = date(2026, 4, 1)) -> None:
    FxRate.objects.create(base=base, quote="BRL", on_date=day, rate=D(rate), source="BCB PTAX sell")


@pytest.mark.parametrize(
    ("refund", "arr", "met"),
    [
        ("833.3342", "49999.99", False),  # 12 × (5,000 − 833.3342) = 12 × 4,166.6658 = 49,999.9896 → R$ 49,999.99
        ("833.3333", "50000.00", True),  # 12 × 4,166.6667 = 50,000.0004 → R$ 50,000.00
    ],
)
def test_refunds_are_deducted_at_the_boundary(assess, refund, arr, met):
    partner = make_partner()
    customer = make_customer(partner)
    _invoice(customer, "5000.00", "inv_refunded")
    _refund(customer, "inv_refunded", refund)
    ev = evidence(assess(NOW), partner)
    assert ev["metrics"]["arr"] == arr
    assert check(ev, "preferred", "arr")["met"] is met


@pytest.mark.parametrize(
    ("rate", "mrr", "arr", "met"),
    [
        ("4.1666658", "4166.6658", "49999.99", False),  # USD 1,000.00 × 4.1666658
        ("4.1666667", "4166.6667", "50000.00", True),
    ],
)
def test_a_usd_invoice_converts_at_the_rate_of_its_day_at_the_boundary(assess, rate, mrr, arr, met):
    partner = make_partner()  # paid in BRL: the intake converts with the same rate
    _rate("USD", rate)
    _rate("USD", "9.99", date(2026, 4, 3))  # a later rate does not apply to an invoice paid on 2 April
    _invoice(make_customer(partner), "1000.00", "inv_usd", currency="USD")
    ev = evidence(assess(NOW), partner)
    assert (ev["metrics"]["mrr"], ev["metrics"]["arr"]) == (mrr, arr)
    assert check(ev, "preferred", "arr")["met"] is met


def test_a_refund_of_a_usd_invoice_is_deducted_before_converting(assess):
    partner = make_partner()
    _rate("USD", "5.00")
    customer = make_customer(partner)
    _invoice(customer, "1200.00", "inv_usd_refunded", currency="USD")
    _refund(customer, "inv_usd_refunded", "200.00", currency="USD")
    assert evidence(assess(NOW), partner)["metrics"]["mrr"] == "5000.0000"  # (1,200 − 200) × 5.00


def test_a_fully_refunded_latest_invoice_counts_zero_and_later_refunds_do_not_count_yet():
    partner = make_partner()
    gone, kept, later = (make_customer(partner) for _ in range(3))
    _invoice(gone, "5000.00", "inv_gone")
    _refund(gone, "inv_gone", "3000.00")
    _refund(gone, "inv_gone", "2000.00")
    _invoice(kept, "1000.00", "inv_kept")
    _invoice(later, "500.00", "inv_later")
    _refund(later, "inv_later", "500.00", when="2026-04-20T10:00:00-03:00")  # after the assessment moment
    metrics = partner_metrics([partner.pk], at("2026-04-15 10:00"))[partner.pk]
    assert (metrics.extra["mrr"], metrics.arr) == ("1500.0000", D("18000.00"))
    after = partner_metrics([partner.pk], at("2026-04-21 10:00"))[partner.pk]
    assert (after.extra["mrr"], after.arr) == ("1000.0000", D("12000.00"))


def test_an_invoice_without_a_rate_to_brl_is_left_out_and_named():
    partner = make_partner(country="MX")  # paid in MXN: the intake needs no rate for an MXN invoice
    customer = make_customer(partner, country="MX")
    _invoice(customer, "10000.00", "inv_mxn", currency="MXN")
    metrics = partner_metrics([partner.pk], at("2026-04-15 10:00"))[partner.pk]
    assert (metrics.extra["mrr"], metrics.arr, metrics.extra["mrr_unconverted"]) == ("0.0000", D("0.00"), ["inv_mxn"])
    _rate("MXN", "0.2950")
    metrics = partner_metrics([partner.pk], at("2026-04-15 10:00"))[partner.pk]
    assert (metrics.extra["mrr"], metrics.arr) == ("2950.0000", D("35400.00"))
    assert "mrr_unconverted" not in metrics.extra
