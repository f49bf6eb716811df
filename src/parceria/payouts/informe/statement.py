"""The informe de rendimentos of one partner for one calendar year, as data: the paid payouts it counts, in
the month of their payment date, the rows per month and currency, the payouts it leaves out and why, and the
figures of the official model (see `parceria.payouts.informe`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from parceria.common.errors import InvalidInput
from parceria.partners.models import Partner
from parceria.payouts.informe.model import (
    PF_LINES,
    PF_TOTAL_LINE,
    REAIS,
    RegimeInfo,
    informe_data,
    official_description,
    regime_info,
)
from parceria.payouts.models import Payout, PayoutStatus
from parceria.payouts.selectors import current_statuses, payouts_with_status
from parceria.payouts.statements.formatting import formatted_tax_id, payer
from parceria.payouts.statements.withheld import Withheld, with_withholdings, withheld
from parceria.payouts.withholding import payment_month

ZERO = Decimal("0.00")


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
        with_withholdings(
            Payout.objects.filter(_dated_in(year), partner=partner)
            .select_related("batch")
            .order_by("payment_date", "id")
        )
    )
    statuses = current_statuses(rows)
    return tuple(
        # A marketing fund reimbursement repays documented expenses: it is not income paid (docs/payouts.md).
        PaidPayout(
            p.pk, p.batch.period, p.payment_date, p.currency, p.gross - p.reimbursement, p.net - p.reimbursement,
            withheld(p),
        )
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
    statuses = current_statuses(made)
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
