"""Reads of the ledger. Balances are sums of a partner's lines per currency, read from the ledger-totals
projection (commissions/totals.py: a few rows per month, kept in step with the lines and checked against them).

This module is the one owner of "the balance": the API, the portal, the console, the statements and the close
all read it through `ledger_totals` and `balances_of`, keyed by partner and currency. Amounts in different
currencies are never added together: a partner whose payout currency changed has one balance per currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from parceria.commissions.models import BalanceSnapshot, LedgerKind, LedgerLine, LedgerTotal
from parceria.commissions.totals import as_date, from_units
from parceria.common import fixedsql, months
from parceria.common.dbsum import exact_sums
from parceria.common.errors import InvalidInput
from parceria.partners.models import Partner

ZERO = Decimal("0.0000")


@dataclass(frozen=True)
class Balance:
    """A partner's balance in one currency and its parts.
    balance = accrued − clawed_back + adjusted + reimbursed − paid_out (`reimbursed`: marketing fund lines)."""

    partner_id: int
    currency: str
    balance: Decimal
    accrued: Decimal
    clawed_back: Decimal
    adjusted: Decimal
    paid_out: Decimal
    reimbursed: Decimal = Decimal(0)


@dataclass(frozen=True)
class PeriodTotal:
    """Σ of a partner's lines of one kind in one currency: in one accounting month, or over the months asked for
    (period None)."""

    partner_id: int
    period: date | None
    kind: str
    currency: str
    amount: Decimal


def ledger_totals(
    *, partner: Partner | int | None = None, since: date | None = None, until: date | None = None,
    per_month: bool = True,
) -> list[PeriodTotal]:
    """The ledger summed per partner, currency and kind (and accounting month when `per_month`), over the months
    `since` ≤ period < `until`: one grouped query on the projection, in key order."""
    keys = "partner_id, period, kind, currency" if per_month else "partner_id, kind, currency"
    rows = _grouped(keys, partner=partner, since=since, until=until)
    if per_month:
        return [PeriodTotal(p, as_date(m), kind, cur, from_units(int(units))) for p, m, kind, cur, units in rows]
    return [PeriodTotal(p, None, kind, cur, from_units(int(units))) for p, kind, cur, units in rows]


@dataclass(frozen=True)
class ProgramTotal:
    """Σ of every partner's lines of one kind in one currency and accounting month."""

    period: date
    kind: str
    currency: str
    amount: Decimal
    lines: int


def program_totals(*, since: date | None = None, until: date | None = None) -> list[ProgramTotal]:
    """The whole program's ledger summed per accounting month, kind and currency over `since` ≤ period < `until`
    (one grouped query on the projection, whatever the number of partners), in key order."""
    rows = _grouped("period, kind, currency", since=since, until=until, count_lines=True)
    return [ProgramTotal(as_date(m), kind, cur, from_units(int(units)), int(lines)) for m, kind, cur, units, lines
            in rows]


def _grouped(
    keys: str, *, partner: Partner | int | None = None, since: date | None = None, until: date | None = None,
    count_lines: bool = False,
) -> list[tuple[Any, ...]]:
    """`SELECT keys, Σ amount_units [, Σ lines]` from the ledger-totals projection, grouped and ordered by `keys`."""
    sqlite = connection.vendor == "sqlite"
    where, params = [], []
    for condition, value in (("partner_id = %s", _pk(partner)), ("period >= %s", since), ("period < %s", until)):
        if value is not None:
            where.append(condition)
            params.append(value.isoformat() if sqlite and isinstance(value, date) else value)
    sums = "SUM(amount_units), SUM(lines)" if count_lines else "SUM(amount_units)"
    sql = (
        f"SELECT {keys}, {sums} FROM {connection.ops.quote_name(LedgerTotal._meta.db_table)}"
        f"{' WHERE ' + ' AND '.join(where) if where else ''} GROUP BY {keys} ORDER BY {keys}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def period_totals(partner: Partner | int) -> list[PeriodTotal]:
    """The partner's ledger per accounting month, currency and kind."""
    return ledger_totals(partner=partner)


def balances_of(totals: Iterable[PeriodTotal]) -> dict[tuple[int, str], Balance]:
    """The balance of each (partner, currency) in `totals`: the only place where ledger totals become a balance."""
    by_kind: dict[tuple[int, str], dict[str, Decimal]] = {}
    for row in totals:
        kinds = by_kind.setdefault((row.partner_id, row.currency), {})
        kinds[row.kind] = kinds.get(row.kind, ZERO) + row.amount
    return {key: _balance(*key, kinds) for key, kinds in by_kind.items()}


def _balance(partner_id: int, currency: str, kinds: dict[str, Decimal]) -> Balance:
    def total(kind: str) -> Decimal:
        return kinds.get(kind, ZERO)

    paid_out = -(total(LedgerKind.PAYOUT) + total(LedgerKind.PAYOUT_REVERSAL))
    accrued, clawed_back = total(LedgerKind.ACCRUAL), -total(LedgerKind.CLAWBACK)
    adjusted, reimbursed = total(LedgerKind.ADJUSTMENT), total(LedgerKind.MDF)
    return Balance(
        partner_id=partner_id,
        currency=currency,
        balance=accrued - clawed_back + adjusted + reimbursed - paid_out,
        accrued=accrued,
        clawed_back=clawed_back,
        adjusted=adjusted,
        paid_out=paid_out,
        reimbursed=reimbursed,
    )


def balances(*, partner: Partner | int | None = None, until: date | None = None) -> dict[tuple[int, str], Balance]:
    """Every (partner, currency) balance of the lines in accounting months before `until` (all months: None). The
    program's balances start from the balance snapshot of the latest closed month before `until`
    (`snapshot_totals`), so that the read does not grow with the months already closed; one partner's read its
    projection rows (a few per month)."""
    if partner is not None:
        return balances_of(ledger_totals(partner=partner, until=until, per_month=False))
    return balances_of(snapshot_totals(until=until))


def snapshot_totals(*, until: date | None = None) -> list[PeriodTotal]:
    """The whole program's ledger summed per partner, kind and currency over the months before `until` (all months:
    None), in key order: the balance snapshot of the latest month S before `until` that has one (BalanceSnapshot,
    written by the close of S) plus the ledger-totals projection of the months after S only, in one statement. With
    no snapshot, the projection of every month.

    Exact because no ledger line is ever posted into a closed month: `ledger_post` (commissions/ledger.py) posts
    every line into the first open month or a later one and refuses an explicit period before it, and the close
    posts its own lines before it records its month closed (ClosedPeriod), so the lines of the months up to S, and
    the snapshot of them, never change once S is closed."""
    quote = connection.ops.quote_name
    snapshots, totals = quote(BalanceSnapshot._meta.db_table), quote(LedgerTotal._meta.db_table)
    bound = "WHERE month < %s" if until is not None else ""
    latest = f"(SELECT MAX(month) FROM {snapshots} {bound})"
    value = connection.ops.adapt_datefield_value(until)
    after = f"period > COALESCE({latest}, %s)" + (" AND period < %s" if until is not None else "")
    earliest = connection.ops.adapt_datefield_value(date.min)
    keys = "partner_id, kind, currency"
    sql = (
        f"SELECT {keys}, SUM(units) FROM ("
        f"SELECT {keys}, amount_units AS units FROM {snapshots} WHERE month = {latest} "
        f"UNION ALL SELECT {keys}, amount_units FROM {totals} WHERE {after}"
        f") AS upto GROUP BY {keys} ORDER BY {keys}"
    )
    bounds = [value] if until is not None else []  # each `latest`, then the projection's upper bound
    params = [*bounds, *bounds, earliest, *bounds]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [PeriodTotal(p, None, kind, cur, from_units(int(units))) for p, kind, cur, units in rows]


def partner_balances(partner: Partner, totals: Iterable[PeriodTotal] | None = None) -> list[Balance]:
    """The partner's balance in its payout currency (zero when it has no lines in it), then in each other
    currency it has lines in, by code. `totals` are the partner's own rows when the caller has read them."""
    found = balances_of(ledger_totals(partner=partner, per_month=False) if totals is None else totals)
    found.setdefault((partner.pk, partner.currency), _balance(partner.pk, partner.currency, {}))
    return sorted(found.values(), key=lambda b: (b.currency != partner.currency, b.currency))


def partner_balance(partner: Partner, currency: str | None = None) -> Balance:
    """The partner's balance in `currency` (its payout currency by default), zero when it has no lines in it."""
    currency = currency or partner.currency
    found = balances_of(ledger_totals(partner=partner, per_month=False))
    return found.get((partner.pk, currency)) or _balance(partner.pk, currency, {})


def _pk(partner: Partner | int | None) -> int | None:
    return partner.pk if isinstance(partner, Partner) else partner


def ledger_lines_for(partner: Partner, *, kind: str | None = None) -> QuerySet[LedgerLine]:
    lines = LedgerLine.objects.filter(partner=partner).order_by("-occurred_at", "-id")
    if kind:
        lines = lines.filter(kind=kind)
    return lines


# --- the partner's ledger in the portal -----------------------------------------------------------------------------

def parse_month(text: str | None) -> date | None:
    """'2026-03' → date(2026, 3, 1); anything else (a filter left empty or mistyped) → None."""
    try:
        return months.parse_month(text or "")
    except InvalidInput:
        return None


def ledger_search(
    partner: Partner, *, kind: str = "", month: date | None = None, text: str = ""
) -> QuerySet[LedgerLine]:
    lines = LedgerLine.objects.filter(partner=partner).select_related("customer", "invoice")
    if kind in LedgerKind.values:
        lines = lines.filter(kind=kind)
    if month is not None:
        lines = lines.filter(period=month)
    if text:
        lines = lines.filter(
            Q(explanation__icontains=text) | Q(invoice__invoice_id__icontains=text) | Q(customer__name__icontains=text)
        )
    return lines


@dataclass(frozen=True)
class LedgerSummary:
    """What the lines `ledger_search` finds add up to: their number (None when a text search makes it unknowable
    from the projection) and their sum per currency (never added together)."""

    count: int | None
    sums: dict[str, Decimal]


def ledger_summary(partner: Partner, *, kind: str = "", month: date | None = None, text: str = "") -> LedgerSummary:
    """One query: the ledger-totals projection (which counts every line it sums) by currency, as fixed SQL (the
    ledger page asks it on every request); with a text search, the lines themselves."""
    if text:
        found = exact_sums(ledger_search(partner, kind=kind, month=month, text=text).order_by(), "amount", "currency")
        return LedgerSummary(None, {str(currency): total
                                    for currency, total in sorted(found.items(), key=lambda kv: str(kv[0]))})
    where: list[str] = ["partner_id = %s"]
    params: list[Any] = [partner.pk]
    if kind in LedgerKind.values:
        where.append("kind = %s")
        params.append(kind)
    if month is not None:
        where.append("period = %s")
        params.append(connection.ops.adapt_datefield_value(month))
    sql = (f"SELECT currency, SUM(amount_units), SUM(lines) FROM {fixedsql.table(LedgerTotal)} "
           f"WHERE {' AND '.join(where)} GROUP BY currency ORDER BY currency")
    rows = fixedsql.fetch(sql, params, [None, None, None])
    return LedgerSummary(sum(int(lines) for _, _, lines in rows),
                         {currency: from_units(int(units)) for currency, units, _ in rows})


def ledger_months(partner: Partner) -> list[date]:
    """The accounting months that have lines, newest first (one statement per month)."""
    return list(
        LedgerLine.objects.filter(partner=partner).order_by("-period").values_list("period", flat=True).distinct()
    )
