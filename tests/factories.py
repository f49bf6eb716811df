"""Builders for test data. They go through the real services, so test data obeys the same rules."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.services import api_key_create, user_create
from parceria.commissions.engine import Posting
from parceria.commissions.intake import IngestResult, events_ingest
from parceria.commissions.ledger import ledger_post
from parceria.common.audit import Actor
from parceria.common.payout_methods import method_pays
from parceria.common.taxids import synthetic_tax_id
from parceria.customers.models import Customer, EventSource
from parceria.customers.services import CustomerFields, customer_create
from parceria.partners.models import Partner
from parceria.partners.services import PartnerChanges, PartnerFields, partner_create, partner_update
from parceria.payouts.close import payout_due_date
from parceria.payouts.models import Payout, PayoutBatch, PayoutWithholding, WithholdingRule

ACTOR = Actor.system("tests")
_seq = itertools.count(1)

#: The product's time zone (settings.TIME_ZONE).
SP = ZoneInfo("America/Sao_Paulo")

CURRENCY_OF = {"BR": "BRL", "MX": "MXN", "CO": "COP", "AR": "ARS", "CL": "CLP"}


#: The password of every user the tests create for signing in.
PASSWORD = "correct horse battery staple 7"


def at(text: str) -> datetime:
    """A moment, from ISO text: with an offset it keeps it (at("2026-03-31T12:00:00-03:00")); without one it is
    São Paulo time (at("2026-03-01 10:00"), at("2026-04-05") at midnight)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SP)


_at = at  # for the builders below, whose keyword argument is called `at`


def staff_client(username: str, role: str) -> Client:
    """A client signed in as a new staff user of `role` who has passed the second factor (a confirmed TOTP device)."""
    user = user_create(username=username, password=PASSWORD, role=role, email=f"{username}@example.com", actor=ACTOR)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.user = user  # type: ignore[attr-defined]
    return client


def make_partner(**overrides: Any) -> Partner:
    n = next(_seq)
    country = overrides.pop("country", "BR")
    regime = overrides.pop("tax_regime", "pj" if country == "BR" else "foreign")
    data: dict[str, Any] = {
        "name": f"Partner {n}",
        "legal_name": f"Partner {n} Ltda",
        "country": country,
        "tax_id": synthetic_tax_id(country, n, person=regime == "pf"),
        "currency": CURRENCY_OF.get(country, "USD"),
        "tax_regime": regime,
        "category": "consulting_agency",
        "subcategory": "digital_agency",
        "status": "active",
    }
    if not {"pix_key", "pix_key_type", "payout_method"} & overrides.keys():
        currency = overrides.get("currency", data["currency"])
        data.update(default_payout_method(country, overrides.get("tax_id", data["tax_id"]), regime, currency))
    if overrides.get("payout_method") == "br_ted" and "payout_details" not in overrides:
        overrides["payout_details"] = {**TED_ACCOUNT, "holder_tax_id": overrides.get("tax_id", data["tax_id"])}
    data.update(overrides)
    return partner_create(fields=PartnerFields(**data), actor=ACTOR)


#: A Banco do Brasil account whose digits verify (branch 1584-9, account 00210169-6: the Icatu Seguros rules' worked
#: example, cited in tests/common/test_banks.py).
TED_ACCOUNT = {"bank_code": "001", "branch": "1584", "branch_digit": "9", "account": "00210169", "account_digit": "6",
               "account_type": "checking"}


#: A valid payout method per country for the partners tests make (published example account numbers: the CLABE of
#: center-key's clabe-validator, the CBU of python-stdnum's ar.cbu documentation, the IBAN of SWIFT's IBAN registry
#: for Brazil; the sources are cited in tests/common/test_bankaccounts.py). A partner paid in a currency its country's
#: method does not pay gets an international transfer.
def default_payout_method(country: str, tax_id: str, regime: str, currency: str) -> dict[str, Any]:
    by_country: dict[str, dict[str, Any]] = {
        "BR": {"pix_key_type": "cpf" if regime == "pf" else "cnpj", "pix_key": tax_id},
        "MX": {"payout_method": "mx_spei", "payout_details": {"clabe": "002010077777777771"}},
        "AR": {"payout_method": "ar_cbu", "payout_details": {"cbu": "2850590940090418135201"}},
        "CO": {"payout_method": "co_bank", "payout_details": {
            "bank_code": "1007", "account_type": "savings", "account_number": "12345678901", "holder_id_kind": "nit",
            "holder_id": tax_id}},
        "CL": {"payout_method": "cl_bank", "payout_details": {
            "bank_code": "001", "account_type": "checking", "account_number": "1234567890", "holder_rut": tax_id}},
    }
    local = by_country.get(country)
    if local is not None and method_pays(local.get("payout_method", "pix"), currency):
        return local
    account = {"iban": "BR1800360305000010009795493C1", "account_number": ""} if country == "BR" else {
        "iban": "", "account_number": "123456789"}
    return {"payout_method": "intl", "payout_details": {
        "beneficiary_name": "Partner abroad", "beneficiary_address": "1 Main Street", "bank_name": "A bank",
        "bank_country": country, "bic": f"BANK{country}2X", **account}}


def make_integration_partner(rate: str = "0.15", **overrides: Any) -> Partner:
    return make_partner(category="technology_integration", subcategory="crm", integration_share_rate=rate, **overrides)


def make_customer(partner: Partner | None = None, **overrides: Any) -> Customer:
    n = next(_seq)
    data: dict[str, Any] = {
        "external_id": f"cus_{n}",
        "name": f"Customer {n}",
        "country": "BR",
        "partner_id": partner.pk if partner else None,
    }
    data.update(overrides)
    customer, _ = customer_create(fields=CustomerFields(**data), actor=ACTOR)
    return customer


def make_payout(
    partner: Partner,
    period: date,
    gross: str,
    *,
    payment_date: date,
    withheld: dict[str, str] | None = None,
    currency: str = "BRL",
) -> Payout:
    """A payout of `period`'s close as the close writes it, dated `payment_date` (the day that close ran),
    with the withholdings given by code (not computed: each under a test rule of that code, in force only on
    1 January 2000 so that no close applies it). Pending: mark it with `payouts.services.payout_mark`."""
    batch, _ = PayoutBatch.objects.get_or_create(period=period, defaults={"created_by": "tests"})
    taxes = {code: Decimal(amount) for code, amount in (withheld or {}).items()}
    payout = Payout.objects.create(
        batch=batch,
        partner=partner,
        currency=currency,
        gross=Decimal(gross),
        net=Decimal(gross) - sum(taxes.values(), Decimal(0)),
        due_date=payout_due_date(period),
        payment_date=payment_date,
        payee_name=partner.legal_name,
        payee_tax_id=partner.tax_id,
    )
    for code, amount in taxes.items():
        rule, _ = WithholdingRule.objects.get_or_create(
            country=partner.country,
            tax_regime=partner.tax_regime,
            code=code,
            effective_from=date(2000, 1, 1),
            defaults={
                "name": f"Test rule {code}",
                "kind": "flat",
                "params": {"rate": "0.11"},
                "effective_to": date(2000, 1, 2),
                "legal_basis": "test",
            },
        )
        PayoutWithholding.objects.create(
            payout=payout, rule=rule, code=code, base=Decimal(gross), amount=amount, explanation="test"
        )
    return payout


def credit(
    partner: Partner,
    amount: str,
    *,
    at: datetime | str = "2026-03-15T12:00:00-03:00",
    note: str = "test credit",
    key: str | None = None,
) -> None:
    """Put `amount` on a partner's balance with a manual adjustment line dated `at` (a moment, or text for at())."""
    when = at if isinstance(at, datetime) else _at(at)
    posting = Posting(partner.pk, "adjustment", "manual", Decimal(amount), partner.currency, None, None, note,
                      key or f"test-credit:{partner.pk}:{amount}:{when.isoformat()}:{note}")
    ledger_post([(posting, {"occurred_at": when})], created_by="tests")


def make_key(scope: str, partner: Partner | None = None) -> str:
    return api_key_create(
        name=f"{scope}-{next(_seq)}", scope=scope, partner_id=partner.pk if partner else None, actor=ACTOR
    ).raw_key


def paid(
    customer: Customer,
    amount: str,
    *,
    event_id: str | None = None,
    invoice_id: str | None = None,
    at: str = "2026-03-31T12:00:00-03:00",
    currency: str = "BRL",
    period: tuple[str, str] = ("2026-03-01", "2026-03-31"),
) -> dict[str, Any]:
    n = next(_seq)
    return {
        "id": event_id or f"evt_paid_{n}",
        "type": "invoice.paid",
        "occurred_at": at,
        "customer": customer.external_id,
        "invoice_id": invoice_id or f"inv_{n}",
        "amount": amount,
        "currency": currency,
        "period_start": period[0],
        "period_end": period[1],
    }


def refunded(
    customer: Customer,
    invoice_id: str,
    amount: str,
    *,
    event_id: str | None = None,
    at: str = "2026-04-02T12:00:00-03:00",
    currency: str = "BRL",
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_refund_{next(_seq)}",
        "type": "invoice.refunded",
        "occurred_at": at,
        "customer": customer.external_id,
        "invoice_id": invoice_id,
        "amount": amount,
        "currency": currency,
    }


def usage(
    customer: Customer,
    quantity: str,
    *,
    partner: Partner | None = None,
    at: str = "2026-03-10T12:00:00-03:00",
    event_id: str | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": event_id or f"evt_usage_{next(_seq)}",
        "type": "usage.recorded",
        "occurred_at": at,
        "customer": customer.external_id,
        "quantity": quantity,
    }
    if partner is not None:
        event["integration_partner_id"] = partner.pk
    return event


def ingest(*events: dict[str, Any]) -> IngestResult:
    return events_ingest(items=list(events), source=EventSource.API, submitted_by="tests")


def D(text: str) -> Decimal:  # noqa: N802
    return Decimal(text)


def make_two_currency_partner(
    *, brl_at: str = "2026-03-10T12:00:00-03:00", usd_at: str = "2026-03-20T12:00:00-03:00", **overrides: Any
) -> tuple[Partner, Customer]:
    """A preferred partner (25 %) that earned 1,000.0000 BRL on a paid invoice of 4,000.00 BRL, then had its payout
    currency changed to USD and earned 50.0000 USD on a paid invoice of 200.00 USD. Simples Nacional by default,
    so nothing is withheld and net = gross; paid by international transfer, which pays both currencies."""
    if not {"pix_key", "payout_method"} & overrides.keys():  # a method that pays both currencies
        overrides.update(default_payout_method("BR", "", "pj", "USD"))
    partner = make_partner(tier="preferred", tax_regime=overrides.pop("tax_regime", "pj_simples"), **overrides)
    customer = make_customer(partner)
    assert ingest(paid(customer, "4000.00", at=brl_at)).accepted == 1
    partner_update(partner=partner, changes=PartnerChanges(currency="USD"), actor=ACTOR)
    partner.refresh_from_db()
    assert ingest(paid(customer, "200.00", at=usd_at, currency="USD")).accepted == 1
    return partner, customer
