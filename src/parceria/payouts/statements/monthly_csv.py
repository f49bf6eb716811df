"""The monthly statement as CSV: one row per ledger line, then the opening balance, the totals by kind and
the closing balance per currency, then the taxes withheld from and the net of each payout of the month's close.
Machine-readable: codes and ISO dates, amounts with the ledger's 4 places, explanations in English."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from parceria.common.csvfile import csv_text
from parceria.common.money import ledger_str
from parceria.common.months import month_end
from parceria.payouts.statements.monthly import Statement, StatementLine, StatementPayout, StatementTotals

STATEMENT_CSV_HEADER = (
    "date", "kind", "rule", "invoice", "customer", "customer_name", "rate", "base", "amount", "currency", "explanation",
)  # fmt: skip
_TOTAL_ROWS = (
    ("total_accrual", "accrued", "Commissions accrued in the period"),
    ("total_clawback", "clawed_back", "Clawed back in the period"),
    ("total_adjustment", "adjusted", "Adjustments in the period"),
    ("total_payout", "paid_out", "Paid out in the period"),
    ("total_payout_reversal", "reversed", "Failed payouts returned to the balance in the period"),
)


def _line_row(line: StatementLine) -> list[str]:
    return [
        timezone.localdate(line.occurred_at).isoformat(),
        line.kind,
        line.rule,
        line.invoice_id,
        line.customer_external_id,
        line.customer_name,
        "" if line.rate is None else format(line.rate.normalize(), "f"),
        "" if line.base is None else ledger_str(line.base),
        ledger_str(line.amount),
        line.currency,
        line.explanation,
    ]


def _total_rows(statement: Statement, totals: StatementTotals) -> list[list[str]]:
    first, last = statement.month.isoformat(), month_end(statement.month).isoformat()

    def row(day: str, label: str, amount: Decimal, text: str) -> list[str]:
        return [day, label, "", "", "", "", "", "", ledger_str(amount), totals.currency, text]

    return [
        row(first, "opening_balance", totals.opening, "Balance of the lines of earlier periods"),
        *(row(last, label, getattr(totals, attr), text) for label, attr, text in _TOTAL_ROWS),
        row(last, "closing_balance", totals.closing, "Opening balance plus the lines of the period"),
    ]


def _payout_rows(payout: StatementPayout) -> list[list[str]]:
    """A row per tax withheld from a payout of the month's close (kind `payout_withholding`, the tax code in
    the rule column), then its net (`payout_net`), dated on the payout's payment date."""
    day = (payout.payment_date or payout.due_date).isoformat()
    rows = [
        [day, "payout_withholding", w.code, "", "", "", "", ledger_str(w.base), ledger_str(w.amount), payout.currency,
         f"Payout #{payout.id}: {w.name}"]
        for w in payout.withholdings
    ]
    rows.append([day, "payout_net", "", "", "", "", "", "", ledger_str(payout.net), payout.currency,
                 f"Payout #{payout.id}: gross {ledger_str(payout.gross)} less the taxes withheld, sent to the payee"])
    fx = payout.paid_from
    if fx is not None:
        rows.append([day, "payout_paid_from", "", "", "", "", str(fx.rate), ledger_str(payout.net),
                     ledger_str(fx.amount), fx.currency,
                     f"Payout #{payout.id}: net {ledger_str(payout.net)} {payout.currency} paid from {fx.currency} at "
                     f"{fx.rate} {fx.currency} per {payout.currency} ({fx.source}, {fx.on_date.isoformat()})"])
    return rows


def statement_csv(statement: Statement) -> str:
    """One row per ledger line, then the opening balance, the totals by kind and the closing balance, then the
    taxes withheld from and the net of each payout of the month's close."""
    rows: list[list[str]] = [list(STATEMENT_CSV_HEADER), *(_line_row(line) for line in statement.lines)]
    for totals in statement.totals:
        rows.extend(_total_rows(statement, totals))
    for payout in statement.payouts:
        rows.extend(_payout_rows(payout))
    return csv_text(rows)
