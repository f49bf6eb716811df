"""The CSV export of a payout batch: one row per payout, for finance and for banks without a CNAB layout.

Amounts are plain decimal strings with the currency's minor units ("1500.00" BRL, "1500" CLP), never
rounded here: an amount finer than the minor unit, or a net that is not gross − Σ withholdings, is refused.
Withholdings are "code:amount" pairs joined by ";" ("8045:22.50"). The text is written by the one CSV writer
(parceria.common.csvfile): a payee name that a spreadsheet would run as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from parceria.common.csvfile import csv_text
from parceria.common.money import MoneyError, get_currency

CSV_COLUMNS = (
    "payout_id",
    "partner_id",
    "payee_name",
    "payee_tax_id",
    "currency",
    "gross",
    "withholdings",
    "net",
    "pix_key_type",
    "pix_key",
    "due_date",
)


@dataclass(frozen=True)
class PayoutCsvRow:
    payout_id: int | str
    partner_id: int | str
    payee_name: str
    payee_tax_id: str
    currency: str
    gross: Decimal
    withholdings: Sequence[tuple[str, Decimal]]
    net: Decimal
    pix_key_type: str
    pix_key: str
    due_date: dt.date


def payouts_csv(rows: Iterable[PayoutCsvRow]) -> str:
    """The CSV text (header first, CRLF line ends, as RFC 4180) of `rows`, in the order given."""
    return csv_text((_csv_fields(row) for row in rows), header=CSV_COLUMNS)


def _csv_fields(row: PayoutCsvRow) -> list[str]:
    _check_net(row)
    return [
        str(row.payout_id),
        str(row.partner_id),
        row.payee_name,
        row.payee_tax_id,
        row.currency,
        format_minor(row.gross, row.currency),
        ";".join(f"{code}:{format_minor(amount, row.currency)}" for code, amount in row.withholdings),
        format_minor(row.net, row.currency),
        row.pix_key_type,
        row.pix_key,
        row.due_date.isoformat(),
    ]


def format_minor(amount: Decimal, currency: str) -> str:
    """`amount` with exactly the currency's minor units; MoneyError if it has a finer fraction."""
    unit = get_currency(currency).minor_unit
    exact = amount.quantize(unit)
    if exact != amount:
        raise MoneyError(f"{amount} {currency} has a fraction smaller than the currency's minor unit {unit}")
    return f"{exact:f}"


def _check_net(row: PayoutCsvRow) -> None:
    withheld = sum((amount for _, amount in row.withholdings), Decimal(0))
    if row.gross - withheld != row.net:
        raise MoneyError(f"payout {row.payout_id}: net {row.net} is not gross {row.gross} less withholdings {withheld}")

