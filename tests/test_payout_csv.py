"""The CSV export of a payout batch: exact text."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest

from parceria.common.money import MoneyError
from parceria.payouts.exports import PayoutCsvRow, payouts_csv

HEADER = (
    "payout_id,partner_id,payee_name,payee_tax_id,currency,gross,withholdings,net,pix_key_type,pix_key,due_date\r\n"
)


def row(**changes: object) -> PayoutCsvRow:
    values: dict[str, object] = {
        "payout_id": 17,
        "partner_id": 4,
        "payee_name": "Agência São João Ltda",
        "payee_tax_id": "11222333000181",
        "currency": "BRL",
        "gross": Decimal("1000.0000"),
        "withholdings": [("8045", Decimal("15.0000"))],
        "net": Decimal("985.0000"),
        "pix_key_type": "cnpj",
        "pix_key": "11222333000181",
        "due_date": date(2026, 3, 2),
        **changes,
    }
    return PayoutCsvRow(**values)  # type: ignore[arg-type]


def test_exact_output() -> None:
    rows = [
        row(),
        row(
            payout_id=18,
            partner_id=9,
            payee_name='Consultoria "Beta", ME',
            payee_tax_id="52998224725",
            gross=Decimal("2500.10"),
            withholdings=[("0588", Decimal("100.05")), ("5952", Decimal("5"))],
            net=Decimal("2395.05"),
            pix_key_type="phone",
            pix_key="+5511912345678",
        ),
        row(
            payout_id=19,
            partner_id=12,
            payee_name="Gama SpA",
            payee_tax_id="76086428-5",
            currency="CLP",
            gross=Decimal("150000.0000"),
            withholdings=[],
            net=Decimal("150000"),
            pix_key_type="",
            pix_key="",
            due_date=date(2026, 12, 30),
        ),
    ]
    assert payouts_csv(rows) == (
        HEADER
        + "17,4,Agência São João Ltda,11222333000181,BRL,1000.00,8045:15.00,985.00,cnpj,11222333000181,2026-03-02\r\n"
        + '18,9,"Consultoria ""Beta"", ME",52998224725,BRL,2500.10,0588:100.05;5952:5.00,2395.05,phone,+5511912345678,'
        + "2026-03-02\r\n"
        + "19,12,Gama SpA,76086428-5,CLP,150000,,150000,,,2026-12-30\r\n"
    )


def test_no_rows_is_just_the_header() -> None:
    assert payouts_csv([]) == HEADER


def test_output_reads_back_with_the_csv_module() -> None:
    parsed = list(csv.DictReader(io.StringIO(payouts_csv([row(payee_name="Nome, com vírgula\ne quebra")]))))
    assert parsed[0]["payee_name"] == "Nome, com vírgula\ne quebra"
    assert parsed[0]["withholdings"] == "8045:15.00"


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"])
def test_payee_names_that_look_like_formulas_are_defused(name: str) -> None:
    parsed = list(csv.DictReader(io.StringIO(payouts_csv([row(payee_name=name)]))))
    assert parsed[0]["payee_name"] == f"'{name}"


@pytest.mark.parametrize("text", ["-2", "+5511999999999", "-12.50", "3"])
def test_a_cell_that_is_a_plain_number_is_kept_as_it_is(text: str) -> None:
    """A plain number is not a formula: the one CSV writer keeps it, so signed amounts stay amounts."""
    parsed = list(csv.DictReader(io.StringIO(payouts_csv([row(payee_name=text, pix_key=text)]))))
    assert (parsed[0]["payee_name"], parsed[0]["pix_key"]) == (text, text)


def test_amounts_finer_than_the_minor_unit_are_refused() -> None:
    with pytest.raises(MoneyError, match="smaller than the currency's minor unit"):
        payouts_csv([row(gross=Decimal("1000.005"), net=Decimal("985.005"))])
    with pytest.raises(MoneyError, match="smaller than the currency's minor unit"):
        payouts_csv([row(currency="CLP", gross=Decimal("1000.50"), withholdings=[], net=Decimal("1000.50"))])


def test_net_must_be_gross_less_withholdings() -> None:
    with pytest.raises(
        MoneyError, match=re.escape("payout 17: net 990.00 is not gross 1000.0000 less withholdings 15.0000")
    ):
        payouts_csv([row(net=Decimal("990.00"))])


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(MoneyError, match="unknown currency 'XYZ'"):
        payouts_csv([row(currency="XYZ")])
