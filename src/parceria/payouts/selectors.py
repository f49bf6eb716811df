"""Reads of payouts. A payout's status and lateness are derived, not stored, and this module owns both rules:

* current status: the latest of its status changes (by time, then id), or pending when it has none;
* late: still pending after its due date.

Every page, route, statement and service reads them through `payouts_with_status` (one SQL expression of
each rule), `current_statuses`, `late_payouts` or `payout_rows`.

It also owns where a ledger line's money stands (`ledger_line_statuses`, registered with the ledger's
`commissions.line_status` in PayoutsConfig.ready()), the partner's earnings by status (`partner_earnings`), and
the partners the next close cannot pay for want of a payout method (`payees_without_method`)."""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any, cast

from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from parceria.commissions.line_status import LineState, LineStatus
from parceria.commissions.models import ClosedPeriod, LedgerKind, LedgerLine, LedgerTotal
from parceria.commissions.selectors import ZERO, PeriodTotal, balances
from parceria.common import fixedsql
from parceria.common.dbsum import exact_sums
from parceria.common.money import get_currency, ledger_str
from parceria.common.months import next_month
from parceria.common.payout_methods import METHODS, method_pays
from parceria.partners.models import Partner
from parceria.payouts.models import (
    CarriedBalance,
    CarryReason,
    Payout,
    PayoutBatch,
    PayoutEmployerContribution,
    PayoutStatus,
    PayoutStatusChange,
    PayoutWithholding,
    ReimbursementSnapshot,
    WithholdingRule,
)
from parceria.payouts.withholding import (
    EarlierInMonth,
    compute_withholdings,
    payment_month,
    rule_countries,
    rules_in_force,
)


def earlier_in_month(payment_date: date) -> dict[tuple[str, str], EarlierInMonth]:
    """What the company already paid each payee in the payment month of `payment_date`, by (payee tax id,
    currency): the gross, the taxes withheld per code and the employer contributions per code of the
    payouts whose payment date falls in that month and that have not failed (a failed payout was never
    paid: its gross goes back on the balance and is paid, and taxed, again)."""
    first = payment_month(payment_date)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    payouts = payouts_with_status(Payout.objects.filter(payment_date__range=(first, last))).exclude(
        current_status=PayoutStatus.FAILED
    )
    # The monthly rules sum the taxable part: the gross without the marketing fund reimbursements.
    reimbursed = exact_sums(payouts, "reimbursement", "payee_tax_id", "currency")
    gross: dict[tuple[str, str], Decimal] = {}
    for key, total in exact_sums(payouts, "gross", "payee_tax_id", "currency").items():
        assert isinstance(key, tuple)
        gross[(str(key[0]), str(key[1]))] = total - reimbursed.get(key, Decimal(0))
    withheld: dict[tuple[str, str], dict[str, Decimal]] = {}
    contributed: dict[tuple[str, str], dict[str, Decimal]] = {}
    sources: tuple[tuple[QuerySet[Any], dict[tuple[str, str], dict[str, Decimal]]], ...] = (
        (PayoutWithholding.objects.filter(payout__in=payouts), withheld),
        (PayoutEmployerContribution.objects.filter(payout__in=payouts), contributed),
    )
    for rows, into in sources:
        for key, total in exact_sums(rows, "amount", "payout__payee_tax_id", "payout__currency", "code").items():
            assert isinstance(key, tuple)
            into.setdefault((str(key[0]), str(key[1])), {})[str(key[2])] = total
    return {
        key: EarlierInMonth(total, withheld.get(key, {}), contributed.get(key, {})) for key, total in gross.items()
    }


def reimbursements_paid() -> dict[tuple[int, str], Decimal]:
    """Σ `reimbursement` of the payouts that did not fail, by (partner id, currency): the marketing fund
    reimbursements already paid (a failed payout's reimbursement goes back on the balance with its gross).

    Read without every payout ever made: the reimbursements made (`reimbursements_made`, from the snapshot of the
    latest close), less the reimbursements of the failed payouts (found through the index of failed marks: few,
    whatever the history). Failures are read as they stand."""
    result = reimbursements_made(snapshot=latest_reimbursement_snapshot())
    failed_ids = PayoutStatusChange.objects.filter(status=PayoutStatus.FAILED).values("payout_id")
    failed = payouts_with_status(Payout.objects.filter(pk__in=failed_ids, reimbursement__gt=0)).filter(
        current_status=PayoutStatus.FAILED
    )
    _add_reimbursements(result, failed, -1)
    return {key: total for key, total in result.items() if total}


def reimbursements_made(*, snapshot: date | None, until: date | None = None) -> dict[tuple[int, str], Decimal]:
    """Σ `reimbursement` of the payouts of every batch up to `until` (every batch: None), failed ones included, by
    (partner id, currency): the reimbursement snapshot of month `snapshot` (None: none; Σ reimbursement of the
    payouts of every batch up to it, payouts.ReimbursementSnapshot) plus the payouts of the batches after it.
    Payouts and their batches never change, so a snapshot stays exact."""
    result: dict[tuple[int, str], Decimal] = {}
    made = Payout.objects.filter(reimbursement__gt=0)
    batches = PayoutBatch.objects.all()
    if snapshot is not None:
        for partner_id, currency, paid in ReimbursementSnapshot.objects.filter(month=snapshot).values_list(
            "partner_id", "currency", "paid"
        ):
            result[(partner_id, currency)] = paid
        batches = batches.filter(period__gt=snapshot)
    if until is not None:
        batches = batches.filter(period__lte=until)
    if snapshot is not None or until is not None:
        # By the batches' ids (none or one, usually), so that the payouts are found through their batch's index.
        made = made.filter(batch_id__in=list(batches.values_list("pk", flat=True)))
    _add_reimbursements(result, made, 1)
    return result


def _add_reimbursements(result: dict[tuple[int, str], Decimal], payouts: QuerySet[Any], sign: int) -> None:
    for key, total in exact_sums(payouts, "reimbursement", "partner_id", "currency").items():
        assert isinstance(key, tuple)
        partner_currency = (int(key[0]), str(key[1]))
        result[partner_currency] = result.get(partner_currency, Decimal(0)) + sign * total


def latest_reimbursement_snapshot(before: date | None = None) -> date | None:
    """The month of the latest reimbursement snapshot (before `before` when given), or None."""
    batches = PayoutBatch.objects.filter(reimbursements_snapshot=True)
    if before is not None:
        batches = batches.filter(period__lt=before)
    return batches.order_by("-period").values_list("period", flat=True).first()


def payouts_with_status(queryset: QuerySet[Payout] | None = None, *, today: date | None = None) -> QuerySet[Any]:
    """Payouts annotated with `current_status` (the latest status change, or pending) and `late` (pending after
    the due date, judged on `today`, default the local date)."""
    latest = PayoutStatusChange.objects.filter(payout=OuterRef("pk")).order_by("-at", "-id").values("status")[:1]
    qs = queryset if queryset is not None else Payout.objects.all()
    qs = qs.annotate(current_status=Coalesce(Subquery(latest), Value(PayoutStatus.PENDING.value)))
    late = Q(current_status=PayoutStatus.PENDING.value, due_date__lt=today or timezone.localdate())
    return qs.annotate(late=ExpressionWrapper(late, output_field=BooleanField()))


def current_statuses(payouts: Iterable[Payout]) -> dict[int, str]:
    """The current status of each payout (by id)."""
    rows = list(payouts)
    # the payouts' partners named too, so that the read is visibly theirs (tenancy)
    ids, owners = [p.pk for p in rows], {p.partner_id for p in rows}
    chosen = Payout.objects.filter(pk__in=ids, partner_id__in=owners)
    return dict(payouts_with_status(chosen).values_list("pk", "current_status"))


def late_payouts(queryset: QuerySet[Payout] | None = None, *, today: date | None = None) -> QuerySet[Any]:
    """The payouts still pending after their due date."""
    return payouts_with_status(queryset, today=today).filter(late=True)


def payout_rows(payouts: QuerySet[Payout] | Iterable[Payout], *, today: date | None = None) -> list[dict[str, Any]]:
    """Payouts with their withholdings, current status and late flag, in a fixed number of queries."""
    rows = list(payouts.select_related("batch") if isinstance(payouts, QuerySet) else payouts)
    ids = [p.pk for p in rows]
    owners = {p.partner_id for p in rows}  # named too, so that each read is visibly the rows' partners' (tenancy)
    taxes: dict[int, list[dict[str, str]]] = {pid: [] for pid in ids}
    for w in PayoutWithholding.objects.filter(payout_id__in=ids).order_by("payout_id", "code"):
        taxes[w.payout_id].append({"code": w.code, "amount": ledger_str(w.amount)})
    chosen = Payout.objects.filter(pk__in=ids, partner_id__in=owners)
    state = {
        pk: (status, late)
        for pk, status, late in payouts_with_status(chosen, today=today).values_list("pk", "current_status", "late")
    }
    return [
        {
            "id": p.pk,
            "batch_id": p.batch_id,
            "period": p.batch.period,
            "partner_id": p.partner_id,
            "currency": p.currency,
            "gross": ledger_str(p.gross),
            "withholdings": taxes[p.pk],
            "net": ledger_str(p.net),
            "due_date": p.due_date,
            "status": state[p.pk][0],
            "late": state[p.pk][1],
            "pix_key_type": p.pix_key_type,
            "pix_key": p.pix_key,
        }
        for p in rows
    ]


def partner_payouts(partner: Partner) -> QuerySet[Payout]:
    return Payout.objects.filter(partner=partner).select_related("batch")


# --- partners no payout method pays ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayeeWithoutMethod:
    """A partner whose `balance` in `currency` no payout method of theirs pays: the close carries it (reason
    no_method) until the partner adds a method that pays that currency."""

    partner: Partner
    currency: str
    balance: Decimal


def payees_without_method(until_month: date) -> list[PayeeWithoutMethod]:
    """The partners a close of `until_month` could pay (active or terminated) with a positive balance in a currency
    their payout method does not pay (none set, or one of another currency), by currency then partner name. Two
    queries, whatever the number of partners: the balances of every month up to `until_month`, read as the close
    reads them, and the partners with ledger lines in those months in a currency their method does not pay. A balance
    under the currency's minor unit is left out: a fraction of a cent is never paid on its own."""
    from parceria.payouts.close import PAYABLE_STATUSES  # the close imports this module: read at call time

    until = next_month(until_month)
    positive = {
        key: b.balance for key, b in balances(until=until).items() if b.balance >= get_currency(b.currency).minor_unit
    }
    paid = [Q(partner__payout_method=method, currency__in=sorted(spec.currencies))
            for method, spec in METHODS.items() if spec.currencies is not None]
    unpaid_lines = LedgerTotal.objects.filter(partner=OuterRef("pk"), period__lt=until).exclude(reduce(or_, paid))
    partners = Partner.objects.filter(Exists(unpaid_lines), status__in=PAYABLE_STATUSES).exclude(
        payout_method__in=[method for method, spec in METHODS.items() if spec.currencies is None]
    ).in_bulk()
    found = [
        PayeeWithoutMethod(partners[pid], currency, balance)
        for (pid, currency), balance in positive.items()
        if pid in partners and not method_pays(partners[pid].payout_method, currency)
    ]
    return sorted(found, key=lambda p: (p.currency, p.partner.name.casefold(), p.partner.pk))


# --- where a ledger line's money stands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PayoutFacts:
    """What the line-status rule needs of one payout."""

    id: int
    partner_id: int
    currency: str
    period: date
    due_date: date
    status: str
    paid_on: date | None
    returned_in: date | None  # the accounting month of a failed payout's reversing line
    gross: Decimal = Decimal(0)
    net: Decimal = Decimal(0)
    pix_key: str = ""


def payout_facts(partner_ids: Iterable[int]) -> list[PayoutFacts]:
    """Every payout of the partners with its current status (the rule of `payouts_with_status`), the day it was
    marked paid and the month a failed payout's amount went back on the balance: one query, ordered by partner,
    currency and month. The dashboard and the ledger page read it on every request, so it is fixed SQL."""
    ids = sorted(set(partner_ids))
    if not ids:
        return []
    where, params = fixedsql.any_of("p.partner_id", ids)
    sql = _FACTS_SQL.format(payout=fixedsql.table(Payout), batch=fixedsql.table(PayoutBatch),
                            change=fixedsql.table(PayoutStatusChange), line=fixedsql.table(LedgerLine), where=where)
    rows = fixedsql.fetch(sql, [PayoutStatus.PENDING.value, PayoutStatus.PAID.value, "payout-reversal:", *params],
                          _FACTS_FIELDS)
    return [
        PayoutFacts(pk, partner_id, currency, period, due, status,
                    None if paid is None else timezone.localdate(paid), returned_in, gross, net, pix_key)
        for pk, partner_id, currency, period, due, status, paid, returned_in, gross, net, pix_key in rows
    ]


# The current status is the latest change by time then id (payouts_with_status); a failed payout's reversing line
# has the key `payout-reversal:<payout id>`.
_FACTS_SQL = """SELECT p.id, p.partner_id, p.currency, b.period, p.due_date,
 COALESCE((SELECT s.status FROM {change} s WHERE s.payout_id = p.id ORDER BY s.at DESC, s.id DESC LIMIT 1), %s),
 (SELECT s.at FROM {change} s WHERE s.payout_id = p.id AND s.status = %s ORDER BY s.at, s.id LIMIT 1),
 (SELECT l.period FROM {line} l WHERE l.dedupe_key = (%s || CAST(p.id AS text)) ORDER BY l.occurred_at, l.id LIMIT 1),
 p.gross, p.net, p.pix_key
FROM {payout} p INNER JOIN {batch} b ON b.id = p.batch_id
WHERE {where}
ORDER BY p.partner_id, p.currency, b.period, p.id"""
_FACTS_FIELDS = [
    Payout._meta.pk, None, None, PayoutBatch._meta.get_field("period"), Payout._meta.get_field("due_date"), None,
    PayoutStatusChange._meta.get_field("at"), LedgerLine._meta.get_field("period"), Payout._meta.get_field("gross"),
    Payout._meta.get_field("net"), None,
]


def _payout_key(dedupe_key: str) -> tuple[str, int, str | None] | None:
    """(month 'YYYY-MM', partner id, currency or None) of a payout line's key `payout:<YYYY-MM>:<partner>[:<cur>]`."""
    parts = dedupe_key.split(":")
    if len(parts) not in (3, 4) or parts[0] != "payout" or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2]), parts[3] if len(parts) == 4 else None


def _of_payout(p: PayoutFacts) -> LineStatus:
    state = {PayoutStatus.PAID: LineState.PAID, PayoutStatus.FAILED: LineState.FAILED}.get(
        p.status, LineState.IN_PAYOUT  # type: ignore[call-overload]
    )
    return LineStatus(state, payout_id=p.id, due_date=p.due_date, paid_on=p.paid_on)


def carried_reasons(partner_ids: Collection[int], month: date) -> dict[tuple[int, str], str]:
    """Why the close of `month` carried each (partner, currency) balance it carried: its reason, a real one (below
    the minimum, negative, held, …) rather than the sub-cent `remainder` of a payout when a balance has both. One
    fixed SQL statement: the dashboard and the ledger page ask it on every request."""
    table, batch = fixedsql.table(CarriedBalance), fixedsql.table(PayoutBatch)
    partners, params = fixedsql.any_of(f'{table}."partner_id"', partner_ids)
    sql = (f'SELECT {table}."partner_id", {table}.currency, {table}.reason FROM {table} '
           f"JOIN {batch} ON {batch}.id = {table}.batch_id WHERE {partners} AND {batch}.period = %s")
    reasons: dict[tuple[int, str], str] = {}
    for partner_id, currency, reason in fixedsql.fetch(sql, [*params, connection.ops.adapt_datefield_value(month)],
                                                       [None, None, None]):
        if reasons.get((partner_id, currency)) in (None, CarryReason.REMAINDER):
            reasons[(partner_id, currency)] = reason
    return reasons


def ledger_line_statuses(lines: Sequence[LedgerLine]) -> dict[int, LineStatus]:
    """Where each line's money stands, in three queries however many lines (DESIGN rule 10). The rule:

    * a payout line has its payout's status: in payout (pending), paid (on the day it was marked paid) or failed;
    * any other line is paid by the first payout to its partner in its currency whose close covered the line's
      month (a close of month P pays the balance of every month up to P). If that payout failed, its amount went
      back on the balance in the month of the reversing line, and the next payout from that month on pays it;
      with none yet, the line shows the failed payout while that month is open;
    * a line no payout covers is open while its month is open; once closed, its balance was carried at the last
      close (with that close's reason: below the minimum, negative, held, payout details changed, no FX rate), or
      was zero (other lines offset it)."""
    lines = list(lines)
    partner_ids = {line.partner_id for line in lines}
    payouts: dict[tuple[int, str], list[PayoutFacts]] = {}
    by_month: dict[tuple[str, int], list[PayoutFacts]] = {}
    for p in payout_facts(partner_ids):
        payouts.setdefault((p.partner_id, p.currency), []).append(p)
        by_month.setdefault((f"{p.period:%Y-%m}", p.partner_id), []).append(p)
    last_closed = last_closed_month()
    reasons = carried_reasons(partner_ids, last_closed) if last_closed is not None and partner_ids else {}

    def status_of(line: LedgerLine) -> LineStatus:
        if line.kind == LedgerKind.PAYOUT:
            key = _payout_key(line.dedupe_key)
            if key is not None:
                label, pid, currency = key
                found = [p for p in by_month.get((label, pid), []) if currency in (None, p.currency)]
                if found:
                    return _of_payout(found[0])
        month: date = line.period
        failed: PayoutFacts | None = None
        for p in payouts.get((line.partner_id, line.currency), []):
            if p.period < month:
                continue
            if p.status != PayoutStatus.FAILED:
                return _of_payout(p)
            failed = p
            month = max(p.returned_in or month, p.period)
            if month == p.period:  # no reversing line found: look past this payout's month
                month = next_month(month)
        if last_closed is None or month > last_closed:
            return _of_payout(failed) if failed is not None else LineStatus(LineState.OPEN)
        reason = reasons.get((line.partner_id, line.currency))
        if not reason or reason == CarryReason.REMAINDER:  # a sub-cent remainder: the line itself was paid
            return LineStatus(LineState.SETTLED)
        label = str(CarryReason(reason).label) if reason in CarryReason.values else reason
        return LineStatus(LineState.CARRIED, reason=reason, reason_label=label)

    return {line.pk: status_of(line) for line in lines}


# --- a partner's earnings by status ---------------------------------------------------------------------------------

FAILED_PAYOUT = "failed_payout"
EARNING_KINDS = (LedgerKind.ACCRUAL, LedgerKind.CLAWBACK, LedgerKind.ADJUSTMENT)


@dataclass(frozen=True)
class CarriedPart:
    """Part of a carried balance and why: a CarryReason of the last close, or FAILED_PAYOUT (payout `payout_id`
    failed and its gross went back on the balance)."""

    amount: Decimal
    reason: str
    payout_id: int | None = None


@dataclass(frozen=True)
class Earnings:
    """A partner's earnings in one currency by where they stand; pending + carried + approved + paid is everything
    it ever earned (accrued − clawed back ± adjusted), since a failed payout's gross is back in carried.

    pending: the lines of months not closed yet; carried: what closes did not pay (the balance of closed months)
    and failed payouts back on the balance; approved: the gross of payouts a close made that are not paid yet;
    paid: the gross of paid payouts (`paid_net` what reached the partner)."""

    currency: str
    pending: Decimal
    carried: Decimal
    carried_parts: tuple[CarriedPart, ...]
    approved: Decimal
    paid: Decimal
    paid_net: Decimal
    last_paid_on: date | None
    in_payment: tuple[PayoutFacts, ...]

    @property
    def balance(self) -> Decimal:
        return self.pending + self.carried


def last_closed_month() -> date | None:
    """The latest closed month: every month up to it is closed (closing a month locks the earlier ones). Fixed SQL:
    every portal page of money asks it."""
    month = connection.ops.quote_name("month")
    sql = f"SELECT {month} FROM {fixedsql.table(ClosedPeriod)} ORDER BY {month} DESC LIMIT 1"
    rows = fixedsql.fetch(sql, [], [ClosedPeriod._meta.get_field("month")])
    return rows[0][0] if rows else None


_UNREAD = object()


def partner_earnings(partner: Partner, totals: Iterable[PeriodTotal], *,
                     last_closed: date | object | None = _UNREAD) -> dict[str, Earnings]:
    """The partner's earnings by status in each currency it has lines or payouts in, from its ledger totals per
    month (`commissions.selectors.period_totals`), in three queries (two when the caller gives `last_closed`, the
    latest closed month it read). Currencies are never added together."""
    closed = last_closed_month() if last_closed is _UNREAD else cast("date | None", last_closed)
    facts = payout_facts([partner.pk])
    pending: dict[str, Decimal] = {}
    balance: dict[str, Decimal] = {}
    for t in totals:
        balance[t.currency] = balance.get(t.currency, ZERO) + t.amount
        is_open = closed is None or (t.period is not None and t.period > closed)
        if is_open and t.kind in EARNING_KINDS:
            pending[t.currency] = pending.get(t.currency, ZERO) + t.amount
    reasons = {cur: reason for (_, cur), reason in carried_reasons([partner.pk], closed).items()} if closed else {}
    result: dict[str, Earnings] = {}
    for currency in sorted(set(balance) | {p.currency for p in facts}):
        mine = [p for p in facts if p.currency == currency]
        carried = balance.get(currency, ZERO) - pending.get(currency, ZERO)
        returned = [
            CarriedPart(p.gross, FAILED_PAYOUT, p.id) for p in mine
            if p.status == PayoutStatus.FAILED and p.returned_in is not None
            and (closed is None or p.returned_in > closed)
        ]
        from_closes = carried - sum((r.amount for r in returned), ZERO)
        parts = ([CarriedPart(from_closes, reasons.get(currency, ""))] if from_closes else []) + returned
        paid = [p for p in mine if p.status == PayoutStatus.PAID]
        in_payment = tuple(p for p in mine if p.status == PayoutStatus.PENDING)
        result[currency] = Earnings(
            currency=currency,
            pending=pending.get(currency, ZERO),
            carried=carried,
            carried_parts=tuple(parts),
            approved=sum((p.gross for p in in_payment), ZERO),
            paid=sum((p.gross for p in paid), ZERO),
            paid_net=sum((p.net for p in paid), ZERO),
            last_paid_on=max((p.paid_on for p in paid if p.paid_on), default=None),
            in_payment=in_payment,
        )
    return result


def estimated_withheld(partner: Partner, gross: Decimal, currency: str, *, on: date) -> Decimal:
    """The taxes a payout of `gross` made on `on` would have withheld, under the rules in force then, not counting
    the month's earlier payouts to the same payee (an estimate: the close computes the real figure)."""
    rows = list(WithholdingRule.objects.filter(country__in=rule_countries(partner.country),
                                               tax_regime=partner.tax_regime))
    rules = rules_in_force(rows, country=partner.country, tax_regime=partner.tax_regime, on=on)
    return sum((t.amount for t in compute_withholdings(rules, gross, currency)), Decimal(0))
