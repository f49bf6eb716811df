"""Partner statements (SPEC §7.5): the monthly statement of a partner's ledger, as data, CSV and PDF
(WeasyPrint, from an HTML template). The annual income statement (informe de rendimentos) is in
`informe.py` and uses the helpers here (payer, CSV and PDF rendering).

Monthly statement of month M: every ledger line of the partner whose `period` is M, in the order they
occurred; the opening balance (Σ of the lines of earlier periods); the totals by kind as the ledger
holds them, signed (clawbacks and payouts are negative, reversals of failed payouts positive); and the
closing balance = opening + Σ lines of M. The sums are read per currency with the balance selector
(commissions/selectors.py; a partner whose payout currency changed has lines in more than one). The
payouts of M's batch are listed with each tax withheld (by code: IRRF, INSS, …) and their net; the CSV
has a row per tax withheld and one for the net after the totals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, cast

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from parceria.commissions.models import LedgerKind, LedgerLine
from parceria.commissions.selectors import balances, ledger_totals
from parceria.common.csvfile import csv_text
from parceria.common.dbsum import PLACES
from parceria.common.errors import InvalidInput
from parceria.common.formatting import format_money, format_number
from parceria.common.money import get_currency, ledger_str
from parceria.common.months import month_end, next_month
from parceria.common.taxids import TaxIdError, validate_tax_id
from parceria.partners.models import Partner
from parceria.payouts.models import Payout, PayoutWithholding
from parceria.payouts.selectors import current_statuses

LANGUAGES = ("pt-br", "en")
ZERO = Decimal("0.0000")

# Data ------------------------------------------------------------------------------------------------


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

    @property
    def movement(self) -> Decimal:
        return self.accrued + self.clawed_back + self.adjusted + self.paid_out + self.reversed

    @property
    def closing(self) -> Decimal:
        return self.opening + self.movement


@dataclass(frozen=True)
class Withheld:
    code: str
    name: str
    base: Decimal
    amount: Decimal


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


@dataclass(frozen=True)
class Statement:
    partner: Partner
    month: date
    currency: str
    lines: tuple[StatementLine, ...]
    totals: tuple[StatementTotals, ...]
    payouts: tuple[StatementPayout, ...]


# Monthly statement -----------------------------------------------------------------------------------


def statement_for(*, partner: Partner, month: date) -> Statement:
    """The statement of `partner` for the accounting month that contains `month`."""
    month = month.replace(day=1)
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
        )
        for c in ordered
    )


def _with_withholdings(payouts: QuerySet[Payout]) -> QuerySet[Payout]:
    return payouts.prefetch_related(
        Prefetch("withholdings", queryset=PayoutWithholding.objects.select_related("rule").order_by("code", "id"))
    )


def _withheld(payout: Payout) -> tuple[Withheld, ...]:
    return tuple(Withheld(w.code, w.rule.name, w.base, w.amount) for w in payout.withholdings.all())


def _month_payouts(partner: Partner, month: date) -> tuple[StatementPayout, ...]:
    payouts = list(_with_withholdings(Payout.objects.filter(partner=partner, batch__period=month).order_by("id")))
    statuses = current_statuses(p.pk for p in payouts)
    return tuple(
        StatementPayout(p.pk, p.currency, p.gross, _withheld(p), p.net, p.due_date, statuses[p.pk], p.payment_date)
        for p in payouts
    )


# Formatting ------------------------------------------------------------------------------------------

def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}", code="invalid_language")
    return language


def format_ledger(amount: Decimal, currency: str, language: str) -> str:
    """A ledger amount with the 4 places the ledger stores."""
    return format_money(amount, currency, language=language, places=PLACES)


def format_rate(rate: Decimal | None, language: str) -> str:
    if rate is None:
        return ""
    percent = format(rate * 100, "f").rstrip("0").rstrip(".") if rate else "0"
    return (percent.replace(".", ",") if language == "pt-br" else percent) + "%"


def format_date(day: date, language: str) -> str:
    return f"{day:%d/%m/%Y}" if language == "pt-br" else day.isoformat()


def formatted_tax_id(country: str, tax_id: str) -> str:
    try:
        return validate_tax_id(country, tax_id).formatted
    except TaxIdError:
        return tax_id


def payer() -> tuple[str, str]:
    """The paying company (settings.PARCERIA["COMPANY"]): its name and formatted CNPJ."""
    company = cast(dict[str, str], settings.PARCERIA["COMPANY"])
    return str(company["name"]), formatted_tax_id("BR", str(company["tax_id"]))


def _base_places(base: Decimal) -> int:
    return max(2, min(PLACES, -base.normalize().as_tuple().exponent))  # type: ignore[operator]


MONTHS = {
    "pt-br": (
        "janeiro", "fevereiro", "março", "abril", "maio", "junho",
        "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def month_name(month: date, language: str) -> str:
    name = MONTHS[language][month.month - 1]
    return f"{name.capitalize()} de {month.year}" if language == "pt-br" else f"{name} {month.year}"


LABELS: dict[str, dict[str, str]] = {
    "pt-br": {
        "title": "Extrato de comissões",
        "partner": "Parceiro",
        "tax_id": "CNPJ/CPF",
        "period": "Período",
        "currency": "Moeda",
        "issued": "Emitido em",
        "payer": "Fonte pagadora",
        "lines": "Lançamentos do período",
        "no_lines": "Nenhum lançamento neste período.",
        "date": "Data",
        "kind": "Tipo",
        "rule": "Regra",
        "invoice": "Fatura",
        "customer": "Cliente",
        "rate": "Taxa",
        "base": "Base",
        "amount": "Valor",
        "totals": "Resumo",
        "opening": "Saldo inicial",
        "accrued": "Comissões",
        "clawed_back": "Estornos",
        "adjusted": "Ajustes",
        "paid_out": "Pagamentos",
        "reversed": "Pagamentos devolvidos",
        "closing": "Saldo final",
        "payouts": "Pagamentos do fechamento",
        "no_payouts": "Nenhum pagamento no fechamento deste período.",
        "payout": "Pagamento",
        "due_date": "Vencimento",
        "status": "Situação",
        "gross": "Bruto",
        "withholdings": "Retenções",
        "net": "Líquido",
        "none": "nenhuma",
        "footer": (
            "Valores em {currency}: o razão guarda 4 casas decimais; pagamentos são feitos na menor unidade da "
            "moeda e a fração restante permanece no saldo."
        ),
        "page": "Página",
    },
    "en": {
        "title": "Commission statement",
        "partner": "Partner",
        "tax_id": "Tax id",
        "period": "Period",
        "currency": "Currency",
        "issued": "Issued on",
        "payer": "Payer",
        "lines": "Ledger lines of the period",
        "no_lines": "No ledger lines in this period.",
        "date": "Date",
        "kind": "Kind",
        "rule": "Rule",
        "invoice": "Invoice",
        "customer": "Customer",
        "rate": "Rate",
        "base": "Base",
        "amount": "Amount",
        "totals": "Summary",
        "opening": "Opening balance",
        "accrued": "Commissions accrued",
        "clawed_back": "Clawed back",
        "adjusted": "Adjustments",
        "paid_out": "Paid out",
        "reversed": "Failed payouts returned",
        "closing": "Closing balance",
        "payouts": "Payouts of the close",
        "no_payouts": "No payouts in this period's close.",
        "payout": "Payout",
        "due_date": "Due",
        "status": "Status",
        "gross": "Gross",
        "withholdings": "Withheld",
        "net": "Net",
        "none": "none",
        "footer": (
            "Amounts in {currency}: the ledger keeps 4 decimal places; payouts are made at the currency's minor "
            "unit and the remaining fraction stays in the balance."
        ),
        "page": "Page",
    },
}

KIND_LABELS = {
    "pt-br": {
        "accrual": "Comissão",
        "clawback": "Estorno",
        "adjustment": "Ajuste",
        "payout": "Pagamento",
        "payout_reversal": "Pagamento devolvido",
    },
    "en": {
        "accrual": "Accrual",
        "clawback": "Clawback",
        "adjustment": "Adjustment",
        "payout": "Payout",
        "payout_reversal": "Payout reversal",
    },
}
RULE_LABELS = {
    "pt-br": {"referral": "Indicação", "integration": "Integração", "manual": "Manual", "payout": "Pagamento"},
    "en": {"referral": "Referral", "integration": "Integration", "manual": "Manual", "payout": "Payout"},
}
STATUS_LABELS = {
    "pt-br": {"pending": "Pendente", "paid": "Pago", "failed": "Falhou"},
    "en": {"pending": "Pending", "paid": "Paid", "failed": "Failed"},
}

# CSV -------------------------------------------------------------------------------------------------

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


def _minor(amount: Decimal, currency: str) -> str:
    return str(amount.quantize(get_currency(currency).minor_unit, rounding=ROUND_HALF_EVEN))


# PDF -------------------------------------------------------------------------------------------------


def _render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time that other code paths need not pay

    pdf = HTML(string=render_to_string(template, context)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


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
    customer = line.customer_name or line.customer_external_id
    return {
        "date": format_date(timezone.localdate(line.occurred_at), language),
        "kind": KIND_LABELS[language].get(line.kind, line.kind),
        "rule": RULE_LABELS[language].get(line.rule, line.rule),
        "invoice": line.invoice_id,
        "customer": customer,
        "rate": format_rate(line.rate, language),
        "base": "" if line.base is None else format_number(line.base, _base_places(line.base), language=language),
        "amount": format_ledger(line.amount, line.currency, language),
        "negative": "negative" if line.amount < 0 else "",
        "explanation": line.explanation,
    }


def _totals_context(totals: StatementTotals, labels: dict[str, str], language: str) -> dict[str, Any]:
    rows = [
        (labels[name], format_ledger(getattr(totals, name), totals.currency, language))
        for name in ("accrued", "clawed_back", "adjusted", "paid_out", "reversed")
    ]
    return {
        "currency": totals.currency,
        "opening": format_ledger(totals.opening, totals.currency, language),
        "rows": rows,
        "closing": format_ledger(totals.closing, totals.currency, language),
    }


def _payout_context(payout: StatementPayout, language: str) -> dict[str, Any]:
    def money(amount: Decimal) -> str:
        return format_money(amount, payout.currency, language=language)

    return {
        "id": payout.id,
        "due_date": format_date(payout.due_date, language),
        "status": STATUS_LABELS[language].get(payout.status, payout.status),
        "gross": money(payout.gross),
        "withholdings": [{"code": w.code, "name": w.name, "amount": money(w.amount)} for w in payout.withholdings],
        "net": money(payout.net),
    }


def statement_pdf(statement: Statement, *, language: str = "pt-br") -> bytes:
    """The statement as a printable A4 PDF, with Brazilian Portuguese labels (or English: language="en")."""
    labels = LABELS[check_language(language)]
    context = {
        "language": language,
        "labels": labels,
        **_header(statement.partner, language),
        "period": month_name(statement.month, language),
        "currency": statement.currency,
        "lines": [_line_context(line, language) for line in statement.lines],
        "totals": [_totals_context(t, labels, language) for t in statement.totals],
        "payouts": [_payout_context(p, language) for p in statement.payouts],
        "footer": labels["footer"].format(currency=", ".join(t.currency for t in statement.totals)),
    }
    return _render_pdf("payouts/statement.html", context)
