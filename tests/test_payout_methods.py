"""Payout methods per country (common.payout_methods) and their one writer (partners.payout_details): valid details
are stored normalised with their history and a hold; bad details are refused beside their field with nothing stored.

Example accounts and their sources: the CLABE 002010077777777771 (center-key's clabe-validator example; its bank 002
is Banamex in Banxico's list), the CBU 2850590940090418135201 (python-stdnum's ar.cbu documentation), the Banco do
Brasil account 1584-9 / 00210169-6 (the Icatu Seguros rules' worked example, tests/common/test_banks.py), the IBAN
GB82WEST12345698765432 (the ECBS example) and DE89370400440532013000 (SWIFT's IBAN registry example for Germany).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from stdnum.ar import cbu
from stdnum.co import nit as co_nit

from parceria.common.audit import Actor
from parceria.common.payout_methods import PayoutMethodError, account_summary, method_pays, validate_payout_account
from parceria.partners.models import Partner, PayoutMethodChange
from parceria.partners.payout_details import payout_method_change
from parceria.payouts.close import carry_reason, payee_of
from tests.factories import SP, TED_ACCOUNT, make_partner

ACTOR = Actor.system("tests")
CNPJ = "11444777000161"
RFC = "GODE561231GR8"
NOW = datetime(2026, 4, 6, 10, tzinfo=SP)


def check(method: str, details: dict[str, str], *, country: str = "BR", tax_id: str = CNPJ, currency: str = "BRL",
          reason: str = "") -> dict[str, str]:
    return validate_payout_account(method, details, partner_country=country, partner_tax_id=tax_id,
                                   currency=currency, reason=reason)


def refused(field: str, method: str, details: dict[str, str], **kwargs: str) -> str:
    with pytest.raises(PayoutMethodError) as info:
        check(method, details, **kwargs)
    assert info.value.field == field and info.value.status == 422
    return info.value.message


INTL_DE = {"beneficiary_name": "Partner GmbH", "beneficiary_address": "Hauptstraße 1, Berlin", "bank_name": "Commerz",
           "bank_country": "de", "bic": "COBADEFFXXX", "iban": "DE89 3704 0044 0532 0130 00", "account_number": ""}


# --- each country's details, normalised ------------------------------------------------------------------------


def test_a_brazilian_account_is_checked_and_named_by_the_directory():
    account = check("br_ted", {**TED_ACCOUNT, "holder_tax_id": "11.444.777/0001-61"})
    assert account == {"bank_code": "001", "bank_name": "Banco do Brasil", "ispb": "00000000", "branch": "1584",
                       "branch_digit": "9", "account": "00210169", "account_digit": "6", "account_type": "checking",
                       "holder_tax_id": CNPJ}
    assert account_summary("br_ted", account) == "001 Banco do Brasil · 1584 · ••••0169-6"


def test_a_clabe_gives_its_bank():
    account = check("mx_spei", {"clabe": "002 010 07777777777 1"}, country="MX", tax_id=RFC, currency="MXN")
    assert account == {"clabe": "002010077777777771", "bank_code": "002", "bank_name": "Banamex"}


@pytest.mark.parametrize(("number", "kind"), [("2850590940090418135201", "cbu"), ("0000003100010000000001", "cvu")])
def test_a_cbu_or_cvu(number, kind):
    if kind == "cvu":  # a CVU: entity 000, then the provider; its check digits follow the CBU's rule
        number = number[:7] + cbu.calc_check_digit(number[:7]) + number[8:21] + cbu.calc_check_digit(number[8:21])
    account = check("ar_cbu", {"cbu": number}, country="AR", tax_id="20267565393", currency="ARS")
    assert account == {"cbu": number, "account_kind": kind}


def test_colombian_and_chilean_accounts_name_the_holder_and_the_bank():
    nit = "213123432" + co_nit.calc_check_digit("213123432")  # python-stdnum's co.nit example, 213.123.432-1
    co = check("co_bank", {"bank_code": "1007", "account_type": "Savings", "account_number": "123-456-789",
                           "holder_id_kind": "nit", "holder_id": nit}, country="CO", tax_id=nit, currency="COP")
    assert co == {"bank_code": "1007", "bank_name": "Bancolombia", "account_type": "savings",
                  "account_number": "123456789", "holder_id_kind": "nit", "holder_id": nit}
    cl = check("cl_bank", {"bank_code": "012", "account_type": "vista", "account_number": "12345678",
                           "holder_rut": "76.086.428-5"}, country="CL", tax_id="760864285", currency="CLP")
    assert cl == {"bank_code": "012", "bank_name": "BancoEstado", "account_type": "vista", "account_number": "12345678",
                  "holder_rut": "760864285"}


def test_an_international_transfer_takes_an_iban_where_the_country_uses_it_and_an_account_elsewhere():
    de = check("intl", INTL_DE, country="DE", tax_id="DE123456789", currency="USD")
    assert (de["iban"], de["bic"], de["bank_country"], de["account_number"]) == (
        "DE89370400440532013000", "COBADEFFXXX", "DE", "")
    us = check("intl", {**INTL_DE, "bank_country": "US", "bic": "CHASUS33", "iban": "",
                        "account_number": "000123456789"}, country="US", tax_id="12-3456789", currency="USD")
    assert (us["iban"], us["account_number"]) == ("", "000123456789")


def test_which_method_pays_which_currency():
    assert method_pays("pix", "BRL") and not method_pays("pix", "USD") and not method_pays("", "BRL")
    assert method_pays("mx_spei", "MXN") and not method_pays("mx_spei", "USD")
    assert method_pays("intl", "USD") and method_pays("intl", "BRL")


# --- bad input: the field and nothing stored -------------------------------------------------------------------


def test_check_digits_that_do_not_verify_are_refused_beside_their_field():
    assert "check digit" in refused("clabe", "mx_spei", {"clabe": "002010077777777772"}, country="MX", tax_id=RFC,
                                    currency="MXN")
    assert "check digits" in refused("cbu", "ar_cbu", {"cbu": "2850590940090418135202"}, country="AR",
                                     tax_id="20267565393", currency="ARS")
    refused("account_digit", "br_ted", {**TED_ACCOUNT, "account_digit": "7", "holder_tax_id": CNPJ})
    refused("bank_code", "br_ted", {**TED_ACCOUNT, "bank_code": "999", "holder_tax_id": CNPJ})


def test_an_account_whose_holder_is_not_the_partner_is_refused():
    message = refused("holder_tax_id", "br_ted", {**TED_ACCOUNT, "holder_tax_id": "52998224725"})
    assert CNPJ in message
    refused("holder_rut", "cl_bank", {"bank_code": "012", "account_type": "vista", "account_number": "1",
                                      "holder_rut": "11111111-1"}, country="CL", tax_id="760864285", currency="CLP")


def test_an_account_in_another_country_needs_a_reason():
    details = {"clabe": "002010077777777771"}
    assert "not in the partner's country BR" in refused("reason", "mx_spei", details, currency="MXN")
    assert refused("reason", "mx_spei", details, currency="MXN", reason="too short")
    account = check("mx_spei", details, currency="MXN", reason="The partner's owner lives in Mexico City")
    assert account["clabe"] == "002010077777777771"


def test_an_iban_for_a_country_that_does_not_use_it_and_a_bic_of_another_country():
    assert "does not use IBAN" in refused("iban", "intl", {**INTL_DE, "bank_country": "MX", "bic": "BNMXMXMM",
                                                           "iban": "MX12002010077777777771"},
                                          country="MX", tax_id=RFC, currency="USD")
    assert "use IBAN" in refused("iban", "intl", {**INTL_DE, "iban": ""}, country="DE", tax_id="x", currency="USD")
    assert "not in DE" in refused("bic", "intl", {**INTL_DE, "bic": "CHASUS33"}, country="DE", tax_id="x",
                                  currency="USD")


def test_a_method_that_cannot_pay_the_partners_currency_or_an_unknown_method():
    assert "cannot pay in USD" in refused("method", "pix", {"key_type": "cnpj", "key": CNPJ}, currency="USD")
    refused("method", "paypal", {})
    refused("clabe", "mx_spei", {}, country="MX", tax_id=RFC, currency="MXN")  # required
    refused("clabe", "mx_spei", {"clabe": 12}, country="MX", tax_id=RFC, currency="MXN")  # type: ignore[dict-item]


# --- the one writer: history, hold, notice ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_change_keeps_the_history_and_holds_payouts(django_capture_on_commit_callbacks):
    partner = make_partner(country="MX")
    first = PayoutMethodChange.objects.get(partner=partner)
    assert (first.method, first.holds, partner.payout_details_changed_at) == ("mx_spei", False, None)
    with django_capture_on_commit_callbacks(execute=True):
        payout_method_change(partner=partner, method="intl", actor=ACTOR, now=NOW,
                             details={**INTL_DE, "bank_country": "MX", "bic": "BNMXMXMM", "iban": "",
                                      "account_number": "12345"})
    partner.refresh_from_db()
    assert (partner.payout_method, partner.payout_account["account_number"]) == ("intl", "12345")
    assert partner.payout_details_changed_at == NOW and (partner.pix_key, partner.pix_key_type) == ("", "")
    history = list(PayoutMethodChange.objects.filter(partner=partner).order_by("id").values_list(
        "method", "holds", "changed_at"))
    assert history[1] == ("intl", True, NOW) and len(history) == 2


@pytest.mark.django_db
def test_bad_details_store_nothing():
    partner = make_partner(country="MX")
    before = (partner.payout_method, dict(partner.payout_account))
    with pytest.raises(PayoutMethodError):
        payout_method_change(partner=partner, method="mx_spei", details={"clabe": "002010077777777772"}, actor=ACTOR)
    stored = Partner.objects.get(pk=partner.pk)
    assert (stored.payout_method, stored.payout_account) == before and stored.payout_details_changed_at is None
    assert PayoutMethodChange.objects.filter(partner=partner).count() == 1 and mail.outbox == []


@pytest.mark.django_db
def test_the_close_holds_a_new_method_48_hours_and_says_so():
    partner = make_partner(country="MX")
    payout_method_change(partner=partner, method="mx_spei", details={"clabe": "002010077777777771"}, actor=ACTOR,
                         now=NOW)
    partner.refresh_from_db()
    payee, hundred, none = payee_of(partner), Decimal(100), {"MXN": Decimal(0), "USD": Decimal(0)}
    assert carry_reason(payee, "MXN", hundred, none, NOW + timedelta(hours=47)) == "details_changed"
    assert carry_reason(payee, "MXN", hundred, none, NOW + timedelta(hours=49)) == ""
    assert carry_reason(payee, "USD", hundred, none, NOW + timedelta(hours=49)) == "no_method"
