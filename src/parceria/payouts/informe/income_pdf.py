"""The informe de rendimentos as a printable A4 PDF: the official model of the partner's regime, its labels
in Portuguese by design, then notes in the reader's language (pt-br, es or en) from the gettext catalogues."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parceria.common.formatting import format_money, format_number
from parceria.payouts.informe.model import (
    MESES,
    PF_QUADRO_3,
    PF_QUADRO_4,
    PF_QUADRO_5,
    PF_QUADRO_6,
    REAIS,
    code_description,
    official_description,
)
from parceria.payouts.informe.statement import (
    ZERO,
    IncomeStatement,
    RetentionRow,
    pf_figures,
    retention_rows,
    unplaced_withholdings,
)
from parceria.payouts.models import PayoutStatus
from parceria.payouts.statements.formatting import check_language, format_date, month_name
from parceria.payouts.statements.pdf import render_pdf
from parceria.payouts.withholding import payment_month


def _reais(amount: Decimal) -> str:
    """An amount in the official models: reais with cents, Brazilian notation, no symbol."""
    return format_number(amount, 2, language="pt-br")


def _month_pt(month: date | None) -> str:
    return f"{MESES[month.month - 1]}/{month.year}" if month else "Total"


def _pf_context(statement: IncomeStatement) -> dict[str, Any]:
    figures = pf_figures(statement)

    def quadro(lines: tuple[tuple[str, str, str], ...]) -> list[dict[str, str]]:
        return [{"number": number, "text": text, "amount": _reais(figures[key])} for key, number, text in lines]

    codes = [code for code, _name in statement.codes]
    months = [
        {
            "label": _month_pt(r.month),
            "gross": _reais(r.gross),
            "withheld": [_reais(r.withheld.get(c, ZERO)) for c in codes],
        }
        for r in statement.months
        if r.currency == REAIS
    ]
    return {
        "quadro3": quadro(PF_QUADRO_3),
        "quadro4": quadro(PF_QUADRO_4),
        "quadro5": quadro(PF_QUADRO_5),
        "quadro6": quadro(PF_QUADRO_6),
        "monthly_codes": [(c, official_description(c, dict(statement.codes)[c])) for c in codes],
        "monthly": months,
        "unplaced": [(c, official_description(c, dict(statement.codes)[c]), _reais(a)) for c, a in
                     unplaced_withholdings(statement)],
    }


def _retention_context(statement: IncomeStatement, language: str) -> dict[str, Any]:
    rows, totals = retention_rows(statement)
    official = statement.model != "other"

    def money(amount: Decimal, currency: str) -> str:
        return _reais(amount) if official else format_money(amount, currency, language=language)

    def month(row: RetentionRow) -> str:
        if official:
            return _month_pt(row.month)
        return month_name(row.month) if row.month else _("Year total")

    def context(row: RetentionRow) -> dict[str, str]:
        return {
            "month": month(row),
            "code": row.code,
            "description": row.description if official else code_description(row.code, row.description),
            "currency": row.currency,
            "income": money(row.income, row.currency),
            "withheld": money(row.withheld, row.currency),
        }

    return {"rows": [context(r) for r in rows], "totals": [context(r) for r in totals]}


def _notes(statement: IncomeStatement, language: str) -> list[str]:
    """The notes around the official model, in the reader's language (called with it active)."""
    notes = [
        _(
            "Income and tax are counted in the month of each payout's payment date: the day of the close that "
            "made it, when its gross was paid or credited, and the month its taxes were computed for. A payout "
            "dated in December counts in that year even if the bank confirmed the transfer in January; "
            "December's close runs in January and counts in the next year. Only paid payouts count: pending and "
            "failed payouts are not income paid."
        )
    ]
    reasons: dict[str, str] = {
        PayoutStatus.PENDING: _("pending, not paid yet"),
        PayoutStatus.FAILED: _("failed: not paid; its amount went back on the balance and is paid by a later close"),
    }
    for item in statement.not_counted:
        amount = format_money(item.gross, item.currency, language=language)
        year = payment_month(item.payment_date).year
        if year != statement.year:
            why = _("its payment date is %(date)s, so it belongs to the statement of %(year)s") % {
                "date": format_date(item.payment_date, language),
                "year": year,
            }
        else:
            why = reasons.get(item.status, item.status)
        notes.append(
            _("Payout no. %(id)s (%(month)s close, %(amount)s) is not in this statement: %(why)s.")
            % {"id": item.id, "month": f"{item.period:%m/%Y}", "amount": amount, "why": why}
        )
    for row in statement.other_currencies:
        notes.append(
            _("Payouts in %(currency)s (%(amount)s gross) are listed in the complementary information, not in "
              "the figures in reais.") % {"currency": row.currency,
                                          "amount": format_money(row.gross, row.currency, language=language)}
        )
    notes.append(_("Generated by Parceria from the payouts it recorded; check it with the payer's accountant."))
    return notes


def _other_currencies_pt(statement: IncomeStatement) -> list[str]:
    """Quadro 7 / informações complementares: income paid in another currency, per currency (Portuguese)."""
    lines = []
    for row in statement.other_currencies:
        taxes = "; ".join(f"{code}: {format_money(amount, row.currency)}" for code, amount in row.withheld.items())
        lines.append(
            f"Rendimentos pagos em {row.currency}, não incluídos nos valores em reais: bruto "
            f"{format_money(row.gross, row.currency)}" + (f"; retido {taxes}" if taxes else "") + "."
        )
    return lines


def income_statement_pdf(statement: IncomeStatement, *, language: str = "pt-br") -> bytes:
    """The informe de rendimentos as a printable A4 PDF: the official model of the partner's regime
    (labels in Portuguese), then notes in `language` (pt-br, es or en)."""
    check_language(language)
    with translation.override(language):
        context: dict[str, Any] = {
            "language": language,
            "s": statement,
            "issued": f"{timezone.localdate():%d/%m/%Y}",
            "issued_reader": format_date(timezone.localdate(), language),
            "notes": _notes(statement, language),
            "legend": [(code, code_description(code, name)) for code, name in statement.codes],
            "other_currencies": _other_currencies_pt(statement),
        }
        if statement.model == "pf":
            context.update(_pf_context(statement))
            template = "payouts/informe_pf.html"
        else:
            context.update(_retention_context(statement, language))
            template = "payouts/informe_pj.html"
        return render_pdf(template, context)
