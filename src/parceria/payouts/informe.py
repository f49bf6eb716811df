"""The annual income statement (informe de rendimentos, SPEC §7.5) of one partner for one calendar year,
as data, CSV and PDF, in the official model of the partner's tax regime.

**What counts: paid payouts, in the month of their payment date (regime de caixa).** A payout's month and
year for tax are those of `Payout.payment_date` (`withholding.payment_month`): the day of the close that
made it, when its gross is paid or credited to the partner. That is the taxable event: the tax is withheld
"por ocasião de cada pagamento ou crédito" (Lei 7.713/1988 art. 7 §1; for companies, on the amounts "pagas
ou creditadas", RIR/2018 art. 718). The withholding sums and taxes the payments of that same month, so the
statement reports each payout's income and tax in the month the tax was computed for, whenever the bank
confirmed the transfer: a payout dated 5 December and marked paid on 2 January counts in December.
(December's own close runs in January, so its payouts are dated, taxed and counted in the next year.)

Only a payout whose latest status is paid counts. A pending payout has not been paid yet; a failed payout
was never paid (its gross went back on the balance, and the later close that pays it again makes a new
payout, with its own payment date). The notes list every payout dated in the year that is not counted,
and the payouts of the year's closes dated in another year, with the reason.

**Which model.** `data/informe.json` maps each partner tax regime to a model and each withholding code to
its place in the model, with the sources:

- ``pf`` (individuals): the Comprovante de Rendimentos Pagos e de Imposto sobre a Renda Retido na Fonte of
  IN RFB 2.060/2021, Anexo I: quadros 1 to 8. Quadro 3 line 01 is the gross paid in reais; the other lines
  take the withholdings whose code the data maps to them (``inss`` → 02 contribuição previdenciária
  oficial, ``0588`` → 05 IRRF). A code the data does not place is listed in quadro 7.
- ``pj`` and ``pj_simples`` (companies): the Comprovante Anual de Rendimentos Pagos ou Creditados e de
  Retenção de Imposto de Renda na Fonte - Pessoa Jurídica (IN SRF 119/2000): per month of payment, each
  retention code with the gross income and the tax withheld.
- ``foreign``: no Brazilian model applies; a plain annual statement in the reader's language.

The official labels are the model's, in Portuguese; the notes around them follow the reader's language
(pt-br, es or en). Brazilian models show amounts in reais: payouts in another currency are listed in the
complementary information, not added to the figures in reais.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from parceria.common.csvfile import csv_text
from parceria.common.errors import InvalidInput
from parceria.common.formatting import format_money, format_number
from parceria.partners.models import Partner, TaxRegime
from parceria.payouts.models import Payout, PayoutStatus
from parceria.payouts.selectors import current_statuses, payouts_with_status
from parceria.payouts.statements import (
    MONTHS,
    Withheld,
    _minor,
    _render_pdf,
    _with_withholdings,
    _withheld,
    formatted_tax_id,
    payer,
)
from parceria.payouts.withholding import payment_month

LANGUAGES = ("pt-br", "es", "en")
DATA_FILE = Path(__file__).parent / "data" / "informe.json"
REAIS = "BRL"
ZERO = Decimal("0.00")

# The official model for individuals: IN RFB 2.060/2021, Anexo I (quadro, line, printed text).
PF_QUADRO_3 = (
    ("q3_01", "01", "Total dos rendimentos (inclusive férias)"),
    ("q3_02", "02", "Contribuição previdenciária oficial"),
    ("q3_03", "03", "Contribuições a entidades de previdência complementar, pública ou privada, e a fundos de "
                    "aposentadoria programada individual (Fapi) (preencher também o quadro 7)"),
    ("q3_04", "04", "Pensão alimentícia (preencher também o quadro 7)"),
    ("q3_05", "05", "Imposto sobre a renda retido na fonte"),
)  # fmt: skip
PF_QUADRO_4 = (
    ("q4_01", "01", "Parcela isenta dos proventos de aposentadoria, reserva remunerada, reforma e pensão (65 anos "
                    "ou mais), exceto a parcela isenta do 13º salário"),
    ("q4_02", "02", "Parcela isenta do 13º salário de aposentadoria, reserva remunerada, reforma e pensão (65 anos "
                    "ou mais)"),
    ("q4_03", "03", "Diárias e ajudas de custo"),
    ("q4_04", "04", "Pensão e proventos de aposentadoria ou reforma por moléstia grave; proventos de aposentadoria "
                    "ou reforma por acidente em serviço"),
    ("q4_05", "05", "Lucros e dividendos, apurados a partir de 1996, pagos por pessoa jurídica (lucro real, "
                    "presumido ou arbitrado)"),
    ("q4_06", "06", "Valores pagos ao titular ou sócio da microempresa ou empresa de pequeno porte, exceto pró-labore, "
                    "aluguéis ou serviços prestados"),
    ("q4_07", "07", "Indenizações por rescisão de contrato de trabalho, inclusive a título de PDV, e por acidente de "
                    "trabalho"),
    ("q4_08", "08", "Juros de mora recebidos, devidos pelo atraso no pagamento de remuneração por exercício de "
                    "emprego, cargo ou função"),
    ("q4_09", "09", "Outros (especificar)"),
)  # fmt: skip
PF_QUADRO_5 = (
    ("q5_01", "01", "Décimo terceiro salário"),
    ("q5_02", "02", "Imposto sobre a renda retido na fonte sobre 13º salário"),
    ("q5_03", "03", "Outros"),
)
PF_QUADRO_6 = (
    ("q6_01", "01", "Total dos rendimentos tributáveis (inclusive férias e décimo terceiro salário)"),
    ("q6_02", "02", "Exclusão: despesas com a ação judicial"),
    ("q6_03", "03", "Dedução: contribuição previdenciária oficial"),
    ("q6_04", "04", "Dedução: pensão alimentícia (preencher também o quadro 7)"),
    ("q6_05", "05", "Imposto sobre a renda retido na fonte"),
    ("q6_06", "06", "Rendimentos isentos de pensão, proventos de aposentadoria ou reforma por moléstia grave ou "
                    "aposentadoria ou reforma por acidente em serviço"),
)  # fmt: skip
PF_LINES = frozenset(key for quadro in (PF_QUADRO_3, PF_QUADRO_4, PF_QUADRO_5, PF_QUADRO_6) for key, _n, _t in quadro)
PF_TOTAL_LINE = "q3_01"  # the gross paid; every other line is fed by withholding codes
MODELS = ("pf", "pj", "other")


# Data ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeInfo:
    """What the statement says about one withholding code (data/informe.json)."""

    code: str
    official: str  # Portuguese, printed in the official model
    description: str  # English msgid, shown translated in the notes
    pf_line: str | None


@dataclass(frozen=True)
class RegimeInfo:
    model: str
    natureza: str = ""
    default_code: str | None = None
    note: str = ""


@dataclass(frozen=True)
class InformeData:
    codes: dict[str, CodeInfo]
    regimes: dict[str, RegimeInfo]


def parse_informe_data(raw: dict[str, Any]) -> InformeData:
    """Read and check the data: each pf_line is a line of the model, each regime a known model."""
    codes: dict[str, CodeInfo] = {}
    for code, item in raw["codes"].items():
        line = item.get("pf_line")
        if line is not None and (line not in PF_LINES or line == PF_TOTAL_LINE):
            raise ValueError(f"informe data: code {code} has pf_line {line!r}, not a withholding line of the model")
        codes[code] = CodeInfo(code, str(item["official"]), str(item["description"]), line)
    regimes: dict[str, RegimeInfo] = {}
    for regime, item in raw["regimes"].items():
        if item["model"] not in MODELS:
            raise ValueError(f"informe data: regime {regime} has model {item['model']!r}, not one of {MODELS}")
        default = item.get("default_code")
        if default is not None and default not in codes:
            raise ValueError(f"informe data: regime {regime} has default_code {default!r}, not a known code")
        regimes[regime] = RegimeInfo(item["model"], item.get("natureza", ""), default, item.get("note", ""))
    missing = sorted(set(TaxRegime.values) - set(regimes))
    if missing:
        raise ValueError(f"informe data: no model for the tax regimes {', '.join(missing)}")
    return InformeData(codes, regimes)


@cache
def informe_data() -> InformeData:
    return parse_informe_data(json.loads(DATA_FILE.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Party:
    name: str
    tax_id: str  # formatted


@dataclass(frozen=True)
class PaidPayout:
    """A payout that counts: paid, reported in the month of `payment_date`."""

    id: int
    period: date  # the month whose close made it
    payment_date: date
    currency: str
    gross: Decimal
    net: Decimal
    withheld: tuple[Withheld, ...]


@dataclass(frozen=True)
class NotCounted:
    """A payout dated in the year (or made by one of the year's closes) that this statement does not count,
    and why: still pending, failed, or dated in another year (then it belongs to that year's statement)."""

    id: int
    period: date
    currency: str
    gross: Decimal
    status: str
    payment_date: date


@dataclass(frozen=True)
class IncomeRow:
    """Paid payouts dated in one month (or the year: month None) in one currency."""

    month: date | None
    currency: str
    payouts: int
    gross: Decimal
    withheld: Mapping[str, Decimal]
    net: Decimal

    @property
    def withheld_total(self) -> Decimal:
        return sum(self.withheld.values(), Decimal(0))


@dataclass(frozen=True)
class RetentionRow:
    """One row of the company model: a month of payment and a retention code."""

    month: date | None  # None: the year's total for the code
    code: str
    description: str
    currency: str
    income: Decimal
    withheld: Decimal


@dataclass(frozen=True)
class IncomeStatement:
    partner: Partner
    year: int
    model: str  # pf, pj or other
    regime: RegimeInfo
    payer: Party
    beneficiary: Party
    responsible: str
    codes: tuple[tuple[str, str], ...]  # (code, rule name) of every tax withheld from the counted payouts
    payouts: tuple[PaidPayout, ...]
    months: tuple[IncomeRow, ...]
    totals: tuple[IncomeRow, ...]
    not_counted: tuple[NotCounted, ...]

    @property
    def exercicio(self) -> int:
        """The tax return year the statement is for: the year after the calendar year."""
        return self.year + 1

    def in_currency(self, currency: str) -> IncomeRow | None:
        return next((row for row in self.totals if row.currency == currency), None)

    @property
    def other_currencies(self) -> tuple[IncomeRow, ...]:
        """Totals of payouts in other currencies than reais: not part of a Brazilian model's figures."""
        return tuple(row for row in self.totals if row.currency != REAIS) if self.model != "other" else ()


# Building the statement ------------------------------------------------------------------------------


def regime_info(tax_regime: str) -> RegimeInfo:
    return informe_data().regimes[tax_regime]


def income_statement(*, partner: Partner, year: int) -> IncomeStatement:
    """The informe de rendimentos of `partner` for calendar year `year` (see the module's docstring)."""
    if not 1900 <= year <= 9998:
        raise InvalidInput(f"year must be between 1900 and 9998, got {year}", code="invalid_year")
    regime = regime_info(partner.tax_regime)
    payouts = _counted(partner, year)
    codes = {w.code: w.name for p in payouts for w in p.withheld}
    payer_name, payer_tax_id = payer()
    return IncomeStatement(
        partner=partner,
        year=year,
        model=regime.model,
        regime=regime,
        payer=Party(payer_name, payer_tax_id),
        beneficiary=Party(partner.legal_name, formatted_tax_id(partner.country, partner.tax_id)),
        responsible=str(settings.PARCERIA["COMPANY_RESPONSIBLE"]),
        codes=tuple(sorted(codes.items())),
        payouts=payouts,
        months=_income_rows(payouts, by_month=True),
        totals=_income_rows(payouts, by_month=False),
        not_counted=_not_counted(partner, year, {p.id for p in payouts}),
    )


def _dated_in(year: int) -> Q:
    """Payouts whose payment date (and so payment month) falls in `year`."""
    return Q(payment_date__year=year)


def _counted(partner: Partner, year: int) -> tuple[PaidPayout, ...]:
    """The partner's payouts dated in `year` whose latest status is paid, by payment date."""
    rows = list(
        _with_withholdings(
            Payout.objects.filter(_dated_in(year), partner=partner)
            .select_related("batch")
            .order_by("payment_date", "id")
        )
    )
    statuses = current_statuses(p.pk for p in rows)
    return tuple(
        PaidPayout(p.pk, p.batch.period, p.payment_date, p.currency, p.gross, p.net, _withheld(p))
        for p in rows
        if statuses[p.pk] == PayoutStatus.PAID
    )


def _not_counted(partner: Partner, year: int, counted: set[int]) -> tuple[NotCounted, ...]:
    """The payouts dated in `year` that are not paid, and those of the year's closes dated in another year."""
    made = list(
        Payout.objects.filter(_dated_in(year) | Q(batch__period__year=year), partner=partner)
        .exclude(pk__in=counted)
        .select_related("batch")
        .order_by("batch__period", "id")
    )
    statuses = current_statuses(p.pk for p in made)
    return tuple(NotCounted(p.pk, p.batch.period, p.currency, p.gross, statuses[p.pk], p.payment_date) for p in made)


def _income_rows(payouts: Iterable[PaidPayout], *, by_month: bool) -> tuple[IncomeRow, ...]:
    groups: dict[tuple[date | None, str], list[PaidPayout]] = defaultdict(list)
    for payout in payouts:
        groups[(payment_month(payout.payment_date) if by_month else None, payout.currency)].append(payout)
    ordered = sorted(groups, key=lambda group: (group[0] or date.min, group[1] != REAIS, group[1]))
    return tuple(_income_row(month, currency, groups[(month, currency)]) for month, currency in ordered)


def _income_row(month: date | None, currency: str, payouts: list[PaidPayout]) -> IncomeRow:
    withheld: dict[str, Decimal] = defaultdict(Decimal)
    for payout in payouts:
        for w in payout.withheld:
            withheld[w.code] += w.amount
    return IncomeRow(
        month=month,
        currency=currency,
        payouts=len(payouts),
        gross=sum((p.gross for p in payouts), Decimal(0)),
        withheld=dict(sorted(withheld.items())),
        net=sum((p.net for p in payouts), Decimal(0)),
    )


def paid_years(partner: Partner) -> list[int]:
    """The calendar years with a statement to give, newest first: the years of the payment dates of the
    partner's paid payouts (the years their statements count them in)."""
    paid = payouts_with_status(Payout.objects.filter(partner=partner)).filter(current_status=PayoutStatus.PAID)
    return sorted({payment_month(day).year for day in paid.values_list("payment_date", flat=True)}, reverse=True)


# The models' figures ---------------------------------------------------------------------------------


def pf_figures(statement: IncomeStatement) -> dict[str, Decimal]:
    """The lines of the individuals' model, in reais: line 01 of quadro 3 is the gross paid, the other lines
    the withholdings whose code the data maps to them. Lines nothing maps to are zero."""
    figures = dict.fromkeys(sorted(PF_LINES), ZERO)
    total = statement.in_currency(REAIS)
    if total is None:
        return figures
    figures[PF_TOTAL_LINE] = total.gross
    codes = informe_data().codes
    for code, amount in total.withheld.items():
        info = codes.get(code)
        if info is not None and info.pf_line is not None:
            figures[info.pf_line] += amount
    return figures


def unplaced_withholdings(statement: IncomeStatement) -> list[tuple[str, Decimal]]:
    """Withholdings in reais whose code the individuals' model has no line for (listed in quadro 7)."""
    total = statement.in_currency(REAIS)
    codes = informe_data().codes
    if total is None:
        return []
    return [
        (code, amount)
        for code, amount in total.withheld.items()
        if codes.get(code) is None or codes[code].pf_line is None
    ]


def official_description(code: str, fallback: str = "") -> str:
    info = informe_data().codes.get(code)
    return info.official if info else fallback


def code_description(code: str, fallback: str = "") -> str:
    """The code's description in the active language (its English msgid translated), or `fallback`."""
    info = informe_data().codes.get(code)
    return _(info.description) if info else fallback  # the msgids are data: translated in payouts/locale


def retention_rows(statement: IncomeStatement) -> tuple[list[RetentionRow], list[RetentionRow]]:
    """The company model: one row per month of payment and retention code, then one total row per code.
    A month without any withholding is listed under the regime's default code with nothing withheld.
    Brazilian models list reais only (other currencies go to the complementary information)."""
    default = statement.regime.default_code
    names = dict(statement.codes)
    rows: list[RetentionRow] = []
    for month in statement.months:
        if statement.model != "other" and month.currency != REAIS:
            continue
        codes = sorted({*month.withheld, *([default] if default else [])}) or [""]
        for code in codes:
            rows.append(
                RetentionRow(
                    month=month.month,
                    code=code,
                    description=official_description(code, names.get(code, "")),
                    currency=month.currency,
                    income=month.gross,
                    withheld=month.withheld.get(code, ZERO),
                )
            )
    totals: dict[tuple[str, str], list[RetentionRow]] = defaultdict(list)
    for row in rows:
        totals[(row.currency, row.code)].append(row)
    total_rows = [
        RetentionRow(
            None,
            code,
            group[0].description,
            currency,
            sum((r.income for r in group), Decimal(0)),
            sum((r.withheld for r in group), Decimal(0)),
        )
        for (currency, code), group in sorted(totals.items(), key=lambda item: (item[0][0] != REAIS, item[0]))
    ]
    return rows, total_rows


# Language --------------------------------------------------------------------------------------------


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}", code="invalid_language")
    return language


def reader_language(active: str | None) -> str:
    """The statement language for a user's active language: pt-br, es, or en for any other."""
    code = (active or "").lower()
    if code.startswith("pt"):
        return "pt-br"
    return "es" if code.startswith("es") else "en"


# CSV -------------------------------------------------------------------------------------------------


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


# PDF -------------------------------------------------------------------------------------------------


def _reais(amount: Decimal) -> str:
    """An amount in the official models: reais with cents, Brazilian notation, no symbol."""
    return format_number(amount, 2, language="pt-br")


def _month_pt(month: date | None) -> str:
    return f"{MONTHS['pt-br'][month.month - 1].capitalize()}/{month.year}" if month else "Total"


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
        return _month_name(row.month) if row.month else _("Year total")

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


def _month_name(month: date) -> str:
    """The month's name in the active language (Django's own catalogue) and the year."""
    return f"{capfirst(MONTH_NAMES[month.month])} {month.year}"


def _date(day: date, language: str) -> str:
    return day.isoformat() if language == "en" else f"{day:%d/%m/%Y}"


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
                "date": _date(item.payment_date, language),
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
            "issued_reader": _date(timezone.localdate(), language),
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
        return _render_pdf(template, context)
