"""The monthly statement of a partner, as data (SPEC §7.5).

Statement of month M: every ledger line of the partner whose `period` is M, in the order they occurred; the
opening balance (Σ of the lines of earlier periods); the totals by kind as the ledger holds them, signed
(clawbacks and payouts are negative, reversals of failed payouts positive); and the closing balance = opening
+ Σ lines of M. The sums are read per currency with the balance selector (commissions/selectors.py; a partner
whose payout currency changed has lines in more than one). The payouts of M's batch are listed with each tax
withheld (by code: IRRF, INSS, …), their net and their current status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from parceria.commissions.models import LedgerKind, LedgerLine
from parceria.commissions.selectors import balances, ledger_totals
from parceria.common.months import month_start, next_month
from parceria.partners.models import Partner
from parceria.payouts.models import Payout
from parceria.payouts.selectors import current_statuses
from parceria.payouts.statements.withheld import Withheld, with_withholdings, withheld

ZERO = Decimal("0.0000")


@dataclass(frozen=True)
class StatementLine:
    """One ledger line as the statement shows it."""

    id: int
    occurred_at: datetime
    kind: str
    rule: str
    invoice_id: str
    customer_external_id: str
    customer_name: str
    rate: Decimal | None
    base: Decimal | None
    amount: Decimal
    currency: str
    explanation: str


@dataclass(frozen=True)
class StatementTotals:
    """The month's figures in one currency. Kind totals are signed sums of the month's lines."""

    currency: str
    opening: Decimal
    accrued: Decimal
    clawed_back: Decimal
    adjusted: Decimal
    paid_out: Decimal
    reversed: Decimal
    reimbursed: Decimal = ZERO

    @property
    def movement(self) -> Decimal:
        return self.accrued + self.clawed_back + self.adjusted + self.reimbursed + self.paid_out + self.reversed

    @property
    def closing(self) -> Decimal:
        return self.opening + self.movement


@dataclass(frozen=True)
class PaidFrom:
    """A payout's net in the currency the company pays from, at the close's rate (payouts.close: paying_currency)."""

    currency: str
    amount: Decimal
    rate: Decimal
    source: str
    on_date: date


@dataclass(frozen=True)
class StatementPayout:
    id: int
    currency: str
    gross: Decimal
    withholdings: tuple[Withheld, ...]
    net: Decimal
    due_date: date
    status: str
    payment_date: date | None = None
    reimbursement: Decimal = ZERO  # the marketing fund part of `gross`, outside the withholding base
    paid_from: PaidFrom | None = None  # the net in the company's paying currency, when it is another

    @property
    def commission_gross(self) -> Decimal:
        return self.gross - self.reimbursement


@dataclass(frozen=True)
class Statement:
    partner: Partner
    month: date
    currency: str
    lines: tuple[StatementLine, ...]
    totals: tuple[StatementTotals, ...]
    payouts: tuple[StatementPayout, ...]

    @property
    def commission_lines(self) -> tuple[StatementLine, ...]:
        """The month's lines but the marketing fund reimbursements (those have their own section)."""
        return tuple(line for line in self.lines if line.kind != LedgerKind.MDF)

    @property
    def reimbursement_lines(self) -> tuple[StatementLine, ...]:
        """The section "Marketing fund reimbursements": the month's lines of kind `mdf`."""
        return tuple(line for line in self.lines if line.kind == LedgerKind.MDF)


def statement_for(*, partner: Partner, month: date) -> Statement:
    """The statement of `partner` for the accounting month that contains `month`."""
    month = month_start(month)
    in_month = LedgerLine.objects.filter(partner=partner, period=month)
    lines = tuple(_statement_line(line) for line in in_month.select_related("customer").order_by("occurred_at", "id"))
    opening = {currency: b.balance for (_, currency), b in balances(partner=partner, until=month).items()}
    month_totals = ledger_totals(partner=partner, since=month, until=next_month(month), per_month=False)
    by_kind = {(t.currency, t.kind): t.amount for t in month_totals}
    return Statement(
        partner=partner,
        month=month,
        currency=partner.currency,
        lines=lines,
        totals=_totals(partner.currency, opening, by_kind),
        payouts=_month_payouts(partner, month),
    )


def _statement_line(line: LedgerLine) -> StatementLine:
    customer = line.customer
    return StatementLine(
        id=line.pk,
        occurred_at=line.occurred_at,
        kind=line.kind,
        rule=line.rule,
        invoice_id=line.invoice_id or "",
        customer_external_id=customer.external_id if customer else "",
        customer_name=customer.name if customer else "",
        rate=line.rate,
        base=line.base,
        amount=line.amount,
        currency=line.currency,
        explanation=line.explanation,
    )


def _totals(
    partner_currency: str, opening: Mapping[Any, Decimal], by_kind: Mapping[Any, Decimal]
) -> tuple[StatementTotals, ...]:
    currencies = {partner_currency, *opening, *(currency for currency, _ in by_kind)}
    ordered = sorted(currencies, key=lambda c: (c != partner_currency, c))

    def kind(currency: str, name: str) -> Decimal:
        return by_kind.get((currency, name), ZERO)

    return tuple(
        StatementTotals(
            currency=c,
            opening=opening.get(c, ZERO),
            accrued=kind(c, LedgerKind.ACCRUAL),
            clawed_back=kind(c, LedgerKind.CLAWBACK),
            adjusted=kind(c, LedgerKind.ADJUSTMENT),
            paid_out=kind(c, LedgerKind.PAYOUT),
            reversed=kind(c, LedgerKind.PAYOUT_REVERSAL),
            reimbursed=kind(c, LedgerKind.MDF),
        )
        for c in ordered
    )


def _paid_from(payout: Payout) -> PaidFrom | None:
    if not payout.paid_from_currency or payout.paid_from_amount is None or payout.fx_rate is None:
        return None
    assert payout.fx_date is not None
    return PaidFrom(payout.paid_from_currency, payout.paid_from_amount, payout.fx_rate, payout.fx_source,
                    payout.fx_date)


def _month_payouts(partner: Partner, month: date) -> tuple[StatementPayout, ...]:
    payouts = list(with_withholdings(Payout.objects.filter(partner=partner, batch__period=month).order_by("id")))
    statuses = current_statuses(payouts)
    return tuple(
        StatementPayout(
            p.pk, p.currency, p.gross, withheld(p), p.net, p.due_date, statuses[p.pk], p.payment_date, p.reimbursement,
            _paid_from(p),
        )
        for p in payouts
    )
