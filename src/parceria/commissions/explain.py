"""A ledger line explained in the reader's language, from the line's stored data (rule, rate, base, invoice,
customer, usage share, payout). The stored `explanation` stays as it was written, in the engine's English, for
audit: the line's page shows it under "How it was computed"."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parceria.commissions.line_status import LineStatus
from parceria.commissions.models import LedgerKind, LedgerLine, LedgerRule
from parceria.common.formatting import format_money, format_percent, in_sentence


def adjustment_note(explanation: str) -> str:
    """The reason typed by whoever asked for a manual adjustment, without who asked and approved it (staff's
    internal labels): "Manual adjustment: late invoice (requested by user:7, approved by user:9)" → "late invoice"."""
    text = explanation.removeprefix("Manual adjustment: ").strip()
    head, sep, tail = text.rpartition(" (")
    return head if sep and "requested by" in tail else text


def _payout_number(line: LedgerLine, status: LineStatus | None) -> str:
    if line.kind == LedgerKind.PAYOUT_REVERSAL and line.dedupe_key.startswith("payout-reversal:"):
        return line.dedupe_key.removeprefix("payout-reversal:")
    return str(status.payout_id) if status is not None and status.payout_id else ""


def explain(line: LedgerLine, status: LineStatus | None = None) -> str:
    """One sentence saying what the line is and why, translated; the stored explanation when the line is of a
    kind this does not know."""
    language = get_language() or "en"
    currency = line.invoice.currency if line.invoice_id and line.invoice is not None else line.currency
    facts = {
        "rate": format_percent(line.rate, language=language) if line.rate is not None else "",
        "base": format_money(line.base, currency, language=language) if line.base is not None else "",
        "invoice": line.invoice_id or "",
        "customer": line.customer.name if line.customer_id and line.customer is not None else "",
        "share": line.share,
        "amount": format_money(abs(line.amount), line.currency, language=language),
        "n": _payout_number(line, status),
        "month": in_sentence(date_format(line.period, "YEAR_MONTH_FORMAT"), language),
    }
    if line.kind == LedgerKind.ACCRUAL and line.rule == LedgerRule.REFERRAL and facts["rate"] and facts["base"]:
        if facts["customer"]:
            return _("Referral commission: %(rate)s of invoice %(invoice)s of %(customer)s, paid %(base)s.") % facts
        return _("Referral commission: %(rate)s of invoice %(invoice)s, paid %(base)s.") % facts
    if line.kind == LedgerKind.ACCRUAL and line.rule == LedgerRule.INTEGRATION and facts["rate"] and facts["base"]:
        return _(
            "Integration revenue share: %(rate)s of invoice %(invoice)s of %(customer)s (%(base)s) for the share "
            "%(share)s of its usage that went through your integration."
        ) % facts
    if line.kind == LedgerKind.CLAWBACK and facts["base"]:
        if facts["customer"]:
            return _(
                "Refund of %(base)s on invoice %(invoice)s of %(customer)s: its commission is clawed back at the "
                "rate applied, %(rate)s."
            ) % facts
        return _("Refund of %(base)s on invoice %(invoice)s: its commission is clawed back at the rate applied, "
                 "%(rate)s.") % facts
    if line.kind == LedgerKind.ADJUSTMENT:
        return _("Adjustment by the Parceria team: %(note)s") % {"note": adjustment_note(line.explanation)}
    if line.kind == LedgerKind.PAYOUT and facts["n"]:
        return _("Payout #%(n)s of the close of %(month)s: %(amount)s paid from your balance.") % facts
    if line.kind == LedgerKind.MDF and line.dedupe_key.startswith("mdf:"):
        return _("Marketing fund reimbursement of request #%(request)s: %(amount)s, paid with your next payout "
                 "without tax withheld.") % {**facts, "request": line.dedupe_key.removeprefix("mdf:")}
    if line.kind == LedgerKind.PAYOUT_REVERSAL and facts["n"]:
        return _("Payout #%(n)s failed: %(amount)s back on your balance, to be paid at the next close.") % facts
    return line.explanation
