"""The monthly statement as a printable A4 PDF in the reader's language (pt-br, es or en).

The labels are the gettext catalogues' (context "statement" in payouts/locale, and the ledger kinds, rules and
payout statuses as the domain names them), read with the statement's language active, like every page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import pgettext

from parceria.commissions.models import LedgerKind, LedgerRule
from parceria.common.formatting import format_money, format_number
from parceria.partners.models import Partner
from parceria.payouts.models import PayoutStatus
from parceria.payouts.statements.formatting import (
    base_places,
    check_language,
    format_date,
    format_ledger,
    format_rate,
    formatted_tax_id,
    month_name,
    payer,
)
from parceria.payouts.statements.monthly import Statement, StatementLine, StatementPayout, StatementTotals
from parceria.payouts.statements.pdf import render_pdf


def _label(choices: type[Any], value: str) -> str:
    """A kind, rule or status as the domain names it (translated), or the stored value if it is unknown."""
    return str(choices(value).label) if value in choices.values else value


def _totals_rows() -> tuple[tuple[str, str], ...]:
    return (
        ("accrued", pgettext("statement", "Commissions accrued")),
        ("clawed_back", pgettext("statement", "Clawed back")),
        ("adjusted", pgettext("statement", "Adjustments")),
        ("reimbursed", pgettext("statement", "Marketing fund reimbursements")),
        ("paid_out", pgettext("statement", "Paid out")),
        ("reversed", pgettext("statement", "Failed payouts returned")),
    )


def _header(partner: Partner, language: str) -> dict[str, str]:
    payer_name, payer_tax_id = payer()
    return {
        "partner_name": partner.legal_name,
        "partner_tax_id": formatted_tax_id(partner.country, partner.tax_id),
        "payer_name": payer_name,
        "payer_tax_id": payer_tax_id,
        "issued": format_date(timezone.localdate(), language),
    }


def _line_context(line: StatementLine, language: str) -> dict[str, str]:
    return {
        "date": format_date(timezone.localdate(line.occurred_at), language),
        "kind": _label(LedgerKind, line.kind),
        "rule": _label(LedgerRule, line.rule),
        "invoice": line.invoice_id,
        "customer": line.customer_name or line.customer_external_id,
        "rate": format_rate(line.rate, language),
        "base": "" if line.base is None else format_number(line.base, base_places(line.base), language=language),
        "amount": format_ledger(line.amount, line.currency, language),
        "negative": "negative" if line.amount < 0 else "",
        "explanation": line.explanation,
    }


def _totals_context(totals: StatementTotals, language: str) -> dict[str, Any]:
    return {
        "currency": totals.currency,
        "opening": format_ledger(totals.opening, totals.currency, language),
        "rows": [(label, format_ledger(getattr(totals, name), totals.currency, language))
                 for name, label in _totals_rows()],
        "closing": format_ledger(totals.closing, totals.currency, language),
    }


def _payout_context(payout: StatementPayout, language: str) -> dict[str, Any]:
    def money(amount: Decimal) -> str:
        return format_money(amount, payout.currency, language=language)

    return {
        "id": payout.id,
        "due_date": format_date(payout.due_date, language),
        "status": _label(PayoutStatus, payout.status),
        "gross": money(payout.gross),
        "reimbursement": money(payout.reimbursement) if payout.reimbursement else "",
        "withholdings": [{"code": w.code, "name": w.name, "amount": money(w.amount)} for w in payout.withholdings],
        "net": money(payout.net),
        "paid_from": _paid_from_context(payout, language),
    }


def _paid_from_context(payout: StatementPayout, language: str) -> dict[str, str] | None:
    fx = payout.paid_from
    if fx is None:
        return None
    return {"amount": format_money(fx.amount, fx.currency, language=language), "rate": format_rate(fx.rate, language),
            "pair": f"{fx.currency}/{payout.currency}", "source": fx.source, "date": format_date(fx.on_date, language)}


def statement_pdf(statement: Statement, *, language: str = "pt-br") -> bytes:
    """The statement as a printable A4 PDF in `language` (pt-br, the default, es or en)."""
    check_language(language)
    with translation.override(language):
        context = {
            "language": language,
            **_header(statement.partner, language),
            "period": month_name(statement.month),
            "currency": statement.currency,
            "lines": [_line_context(line, language) for line in statement.commission_lines],
            "reimbursements": [_line_context(line, language) for line in statement.reimbursement_lines],
            "totals": [_totals_context(t, language) for t in statement.totals],
            "payouts": [_payout_context(p, language) for p in statement.payouts],
            "currencies": ", ".join(t.currency for t in statement.totals),
        }
        return render_pdf("payouts/statement.html", context)
