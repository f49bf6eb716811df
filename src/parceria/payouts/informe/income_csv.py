"""The informe de rendimentos as CSV: one row per month of payment and currency, then one total row per
currency, each starting with the payer's and the beneficiary's identity."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from parceria.common.csvfile import csv_text
from parceria.common.money import get_currency
from parceria.payouts.informe.statement import IncomeRow, IncomeStatement


def _minor(amount: Decimal, currency: str) -> str:
    return str(amount.quantize(get_currency(currency).minor_unit, rounding=ROUND_HALF_EVEN))


def income_statement_csv(statement: IncomeStatement) -> str:
    """One row per month of payment and currency, then one total row per currency; a withheld_<code>
    column per tax. Every row starts with the payer's CNPJ and name and the beneficiary's tax id and name."""
    codes = [code for code, _name in statement.codes]
    identity = [
        statement.payer.tax_id,
        statement.payer.name,
        statement.beneficiary.tax_id,
        statement.beneficiary.name,
    ]
    header = [
        "payer_cnpj", "payer_name", "beneficiary_tax_id", "beneficiary_name", "month", "currency", "payouts", "gross",
        *(f"withheld_{c}" for c in codes), "withheld_total", "net",
    ]  # fmt: skip

    def row(label: str, r: IncomeRow) -> list[str]:
        taxes = [_minor(r.withheld.get(c, Decimal(0)), r.currency) for c in codes]
        money = [_minor(r.gross, r.currency), *taxes, _minor(r.withheld_total, r.currency), _minor(r.net, r.currency)]
        return [*identity, label, r.currency, str(r.payouts), *money]

    months = [row(f"{r.month:%Y-%m}", r) for r in statement.months]
    return csv_text([*months, *(row(f"total_{statement.year}", r) for r in statement.totals)], header=header)
