"""The monthly close (SPEC §7.1, §7.6).

Closing month P locks every month up to P and, for each partner and currency, takes the available balance
(the sum of its ledger lines in months up to P, read with the balance selector of commissions/selectors.py, which
starts from the balance snapshot of the latest closed month and adds the months after it).
A partner with lines in two currencies has two balances, paid or carried each on its own. A balance at or
above the minimum for its currency is paid: the payout's gross is the balance rounded down to the currency's
minor unit, taxes are withheld from it, and a ledger line of −gross posts in P. Everything else (smaller or
negative balances, held partners, partners with an open attribution safeguard flag, partners whose payout method
changed in the last 48 hours or pays no method of theirs in that currency, the sub-cent remainder of a payout) is
carried. Each payout copies the partner's payout method and account, and, when it is not in the company's paying
currency, its net converted at the close day's rate with the rate's source and date.

Marketing fund reimbursements (ledger kind `mdf`) are part of the balance and paid with it, but no tax is withheld on
them: the payout's `reimbursement` is the part of its gross that reimburses marketing funds, min(the unpaid
reimbursements of that partner and currency, gross), where unpaid = Σ mdf lines up to P − Σ `reimbursement` of the
partner's earlier payouts in that currency that did not fail; the withholding base is gross − reimbursement. Both sums
are read set-based for the whole close, from the snapshots of the last close and what came after it
(payouts/selectors.py `reimbursements_paid`). The minimum payout applies to the whole balance.

After its payouts and their ledger lines, the close records P as closed and writes the snapshots the next close
starts from: the balances by kind up to P (commissions.BalanceSnapshot) and the reimbursements paid up to P
(payouts.ReimbursementSnapshot).

The payment date of every payout of a close is the day the close runs (the taxable event, "pagamento ou
crédito"): the withholding rules in force that day apply, and the monthly rules sum the payout with
the payouts already made to the same payee tax id in that calendar month (`earlier_in_month`), and
with the close's own earlier payouts to that tax id.

The whole close is one database transaction taken under the exclusive period lock: killed half-way,
it leaves nothing behind, and run again it does everything once. Closing a closed month returns its
batch and pays nothing.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.commissions.engine import Posting
from parceria.commissions.ledger import first_open_period, ledger_post, lock_periods
from parceria.commissions.models import ClosedPeriod, LedgerTotal
from parceria.commissions.selectors import balances
from parceria.commissions.totals import snapshot_take
from parceria.common import fixedsql
from parceria.common.audit import Actor, audit_record_create
from parceria.common.bulk import insert_rows, key_in, reserve_ids
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.fx import FxBook, fx_quote
from parceria.common.money import FxQuote, ledger_str, multiply, round_down_minor, round_minor
from parceria.common.months import add_months, month_end, month_start, next_month
from parceria.common.payout_methods import method_pays
from parceria.partners.models import Partner, PartnerStatus
from parceria.payouts.models import (
    CarriedBalance,
    Payout,
    PayoutBatch,
    PayoutEmployerContribution,
    PayoutThreshold,
    PayoutWithholding,
    ReimbursementSnapshot,
    WithholdingRule,
)
from parceria.payouts.selectors import (
    earlier_in_month,
    latest_reimbursement_snapshot,
    reimbursements_made,
    reimbursements_paid,
)
from parceria.payouts.withholding import (
    NOTHING_EARLIER,
    ContributionLine,
    Rule,
    WithholdingLine,
    compute_withholdings,
    employer_contributions,
    rules_in_force,
)
from parceria.safeguards.selectors import held_partner_ids

PAYABLE_STATUSES = frozenset({PartnerStatus.ACTIVE, PartnerStatus.TERMINATED})


@dataclass(frozen=True)
class PlannedPayout:
    partner_id: int
    currency: str
    balance: Decimal
    gross: Decimal
    withholdings: list[WithholdingLine]
    net: Decimal
    employer_contributions: list[ContributionLine] = field(default_factory=list)
    reimbursement: Decimal = Decimal(0)
    fx: FxQuote | None = None  # the company's paying currency per unit of `currency`, when they differ

    @property
    def taxable(self) -> Decimal:
        """The withholding base: the gross without the marketing fund reimbursements."""
        return self.gross - self.reimbursement


@dataclass(frozen=True)
class Carried:
    partner_id: int
    currency: str
    balance: Decimal
    reason: str


class Payee(NamedTuple):
    """What the close needs of a partner (loaded as plain tuples: the close may see thousands)."""

    pk: int
    status: str
    country: str
    tax_regime: str
    legal_name: str
    tax_id: str
    pix_key_type: str
    pix_key: str
    payout_details_changed_at: datetime | None
    payout_method: str
    payout_account: dict[str, str]


def payee_of(partner: Partner) -> Payee:
    """What the close reads of `partner`, from a loaded partner."""
    return Payee(*(getattr(partner, name) for name in Payee._fields))


@dataclass(frozen=True)
class MissingRate:
    """No FX rate converts the minimum payout of `currency` (set as `minimum` in `base`) on or before `day`."""

    base: str
    currency: str
    day: date
    minimum: Decimal


@dataclass
class ClosePlan:
    period: date
    payouts: list[PlannedPayout] = field(default_factory=list)
    carried: list[Carried] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing_rates: list[MissingRate] = field(default_factory=list)
    batch_id: int | None = None
    payees: dict[int, Payee] = field(default_factory=dict)
    payment_date: date | None = None


def payout_due_date(month: date) -> date:
    return month_end(month) + timedelta(days=int(settings.PARCERIA["PAYOUT_DUE_DAYS"]))  # type: ignore[call-overload]


def _checkpoint(stage: str) -> None:
    """Fault injection for the crash tests: PARCERIA_CLOSE_KILL_AT=<stage> makes the process SIGKILL
    itself at that stage of the close (stages: locked, planned, payouts_written, ledger_written)."""
    if os.environ.get("PARCERIA_CLOSE_KILL_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def _balances(month: date) -> tuple[dict[tuple[int, str], Decimal], dict[tuple[int, str], Decimal]]:
    """The non-zero balance of each (partner, currency) over the months up to `month`, and the marketing fund
    reimbursements of each not paid yet (see the module's docstring)."""
    found = balances(until=next_month(month))
    paid = reimbursements_paid()
    unpaid = {key: b.reimbursed - paid.get(key, Decimal(0)) for key, b in found.items() if b.reimbursed}
    return {key: b.balance for key, b in found.items() if b.balance != 0}, unpaid


def _threshold_rows() -> list[PayoutThreshold]:
    """Every minimum payout, by fixed SQL: the portal's dashboard asks for them on every request."""
    return fixedsql.instances(PayoutThreshold)


def _thresholds(
    month: date, warnings: list[str], missing: list[MissingRate] | None = None
) -> dict[str, Decimal | None]:
    """The minimum payout per currency, converted when set in another currency (None: no rate: a warning for the
    API and the command, and a `MissingRate` for pages that say it in the reader's language)."""
    result: dict[str, Decimal | None] = {}
    end = month_end(month)
    for row in _threshold_rows():
        if row.amount_currency == row.currency:
            result[row.currency] = row.amount
            continue
        quote = fx_quote(row.amount_currency, row.currency, end)
        rate = None if quote is None else quote.rate
        if rate is None:
            warnings.append(
                f"no FX rate {row.amount_currency}→{row.currency} on or before {end.isoformat()}: the minimum "
                f"payout for {row.currency} ({row.amount} {row.amount_currency}) cannot be converted; "
                f"{row.currency} balances are carried"
            )
            if missing is not None:
                missing.append(MissingRate(row.amount_currency, row.currency, end, row.amount))
        result[row.currency] = None if rate is None else row.amount * rate
    return result


def plan_close(month: date, *, today: date, now: datetime | None = None) -> ClosePlan:
    """Compute what closing `month` would pay and carry, without writing anything."""
    now = now or timezone.now()
    plan = ClosePlan(period=month, payment_date=today)
    balances, unpaid_reimbursements = _balances(month)
    thresholds = _thresholds(month, plan.warnings, plan.missing_rates)
    plan.payees = {
        row[0]: Payee(*row)
        for row in Partner.objects.filter(key_in("id", {pid for pid, _ in balances})).values_list(*Payee._fields)
    }
    flagged = held_partner_ids(plan.payees)
    rows = list(WithholdingRule.objects.all())
    rules: dict[tuple[str, str], list[Rule]] = {}
    month_so_far = earlier_in_month(today)
    paying = paying_currency()
    book = FxBook.load({(currency, paying) for _, currency in balances}, today, today)
    for (partner_id, currency), balance in sorted(balances.items()):
        partner = plan.payees[partner_id]
        reason = carry_reason(partner, currency, balance, thresholds, now, flagged=partner_id in flagged)
        if reason:
            plan.carried.append(Carried(partner_id, currency, balance, reason))
            continue
        gross = round_down_minor(balance, currency)
        reimbursement = min(max(unpaid_reimbursements.get((partner_id, currency), Decimal(0)), Decimal(0)), gross)
        taxable = gross - reimbursement
        regime = (partner.country, partner.tax_regime)
        if regime not in rules:
            rules[regime] = rules_in_force(rows, country=regime[0], tax_regime=regime[1], on=today)
        payee = (partner.tax_id, currency)
        earlier = month_so_far.get(payee, NOTHING_EARLIER)
        taxes = compute_withholdings(rules[regime], taxable, currency, earlier)
        contributions = employer_contributions(rules[regime], taxable, currency, earlier)
        month_so_far[payee] = earlier.plus(taxable, taxes, contributions)
        net = gross - sum((t.amount for t in taxes), Decimal(0))
        fx = None if currency == paying else book.quote(currency, paying, today)
        plan.payouts.append(
            PlannedPayout(partner_id, currency, balance, gross, taxes, net, contributions, reimbursement, fx)
        )
        if balance != gross:
            plan.carried.append(Carried(partner_id, currency, balance - gross, "remainder"))
    return plan


def carry_reason(
    partner: Payee, currency: str, balance: Decimal, thresholds: dict[str, Decimal | None], now: datetime,
    *, flagged: bool = False,
) -> str:
    """Why a close at `now` carries `balance` instead of paying it (see CarryReason), or "" when it pays it.
    `flagged`: the partner has an open attribution safeguard flag (safeguards.selectors.held_partner_ids)."""
    if balance < 0:
        return "negative"
    if partner.status not in PAYABLE_STATUSES:
        return "held"
    if flagged:
        return "flagged"
    if _payout_details_on_hold(partner, now):
        return "details_changed"
    if not method_pays(partner.payout_method, currency):
        return "no_method"
    if currency not in thresholds or thresholds[currency] is None:
        return "no_fx_rate"
    minimum = thresholds[currency]
    assert minimum is not None
    return "below_minimum" if balance < minimum else ""


def _payout_details_on_hold(partner: Payee, now: datetime) -> bool:
    """A new payout method receives nothing until PAYOUT_DETAILS_HOLD_HOURS have passed since the change."""
    changed = partner.payout_details_changed_at
    hours = int(settings.PARCERIA["PAYOUT_DETAILS_HOLD_HOURS"])  # type: ignore[call-overload]
    return changed is not None and now < changed + timedelta(hours=hours)


def payout_minimum(currency: str, month: date) -> Decimal | None:
    """The minimum payout for `currency` at the close of `month` (None: no minimum set or no FX rate)."""
    return _thresholds(month, []).get(currency)


def close_preview(*, month: date, today: date | None = None) -> ClosePlan:
    batch = PayoutBatch.objects.filter(period=month).first()
    if batch is not None:
        return stored_close(batch)
    _check_closable(month, today or timezone.localdate())
    return plan_close(month, today=today or timezone.localdate())


@dataclass(frozen=True)
class CloseDue:
    """The month the next close should close: the earliest month not closed (the first open month, or before any
    close the first month with ledger lines) and since when it may be closed. `ready`: its last day has passed, so
    it may be closed today; `waiting`: how many ended months are not closed yet (this one included)."""

    month: date
    closable_from: date
    payouts_due: date
    ready: bool
    waiting: int


def close_due(today: date | None = None) -> CloseDue:
    """The month the close wizard proposes and the console's overview announces (two queries)."""
    today = today or timezone.localdate()
    last_ended = add_months(month_start(today), months=-1)
    month = first_open_period()
    if month is None:
        first = LedgerTotal.objects.order_by("period").values_list("period", flat=True).first()
        month = month_start(first) if first is not None else last_ended
    ready = month_end(month) < today
    waiting = (last_ended.year - month.year) * 12 + last_ended.month - month.month + 1 if ready else 0
    return CloseDue(month, month_end(month) + timedelta(days=1), payout_due_date(month), ready, waiting)


def _check_closable(month: date, today: date) -> None:
    if month_end(month) >= today:
        raise InvalidInput(
            _("period %(month)s has not ended yet") % {"month": f"{month:%Y-%m}"}, code="period_not_ended"
        )
    later = ClosedPeriod.objects.filter(month__gt=month).order_by("month").first()
    if later is not None:
        raise Conflict(
            _("period %(later)s is already closed, so %(month)s is locked")
            % {"later": f"{later.month:%Y-%m}", "month": f"{month:%Y-%m}"},
            code="later_period_closed",
        )


def period_close(*, month: date, actor: Actor, now: datetime | None = None) -> ClosePlan:
    """Close `month`: idempotent (a second call returns the first call's batch) and all-or-nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        lock_periods(exclusive=True)
        _checkpoint("locked")
        existing = PayoutBatch.objects.filter(period=month).first()
        if existing is not None:
            return stored_close(existing)
        _check_closable(month, today)
        plan = plan_close(month, today=today, now=now)
        _checkpoint("planned")
        batch = PayoutBatch.objects.create(period=month, created_by=actor.label[:200], reimbursements_snapshot=True)
        payouts = _write_payouts(batch, plan, month, now)
        _checkpoint("payouts_written")
        _post_payout_lines(plan, payouts, month, actor, now)
        _checkpoint("ledger_written")
        # Closed only now that its own lines are in: from here on nothing posts into `month` (ledger_post), so
        # the snapshots of its balances and reimbursements are final.
        ClosedPeriod.objects.create(month=month, closed_by=actor.label[:200])
        snapshot_take(month)
        snapshot_reimbursements(month)
        audit_record_create(
            actor=actor,
            action="period.closed",
            obj=batch,
            after={"period": f"{month:%Y-%m}", "payouts": len(plan.payouts), "carried": len(plan.carried)},
        )
        plan.batch_id = batch.pk
        return plan


def _write_payouts(batch: PayoutBatch, plan: ClosePlan, month: date, now: datetime) -> list[int]:
    """Write payouts, their withholdings and the carried balances set-based (COPY on PostgreSQL);
    returns the id of each payout, in the order of `plan.payouts` (a partner may have one per currency)."""
    due = payout_due_date(month)
    ids = reserve_ids(Payout, len(plan.payouts))
    payout_rows = []
    for payout_id, p in zip(ids, plan.payouts, strict=True):
        payee = plan.payees[p.partner_id]
        payout_rows.append(
            (
                payout_id,
                batch.pk,
                p.partner_id,
                p.currency,
                p.gross,
                p.net,
                p.reimbursement,
                due,
                plan.payment_date,
                payee.legal_name,
                payee.tax_id,
                payee.pix_key_type,
                payee.pix_key,
                payee.payout_method,
                payee.payout_account,
                *_paid_from(p),
                now,
            )
        )
    insert_rows(Payout, PAYOUT_COLUMNS, payout_rows)
    taxes = [
        (payout_id, t.rule_id, t.code, t.base, t.amount, t.explanation)
        for payout_id, p in zip(ids, plan.payouts, strict=True)
        for t in p.withholdings
    ]
    insert_rows(PayoutWithholding, ("payout", "rule", "code", "base", "amount", "explanation"), taxes)
    contributions = [
        (payout_id, c.rule_id, c.code, c.base, c.amount, c.explanation)
        for payout_id, p in zip(ids, plan.payouts, strict=True)
        for c in p.employer_contributions
    ]
    insert_rows(PayoutEmployerContribution, ("payout", "rule", "code", "base", "amount", "explanation"), contributions)
    carried = [(batch.pk, c.partner_id, c.currency, c.balance, c.reason) for c in plan.carried]
    insert_rows(CarriedBalance, ("batch", "partner", "currency", "balance", "reason"), carried)
    return ids


def snapshot_reimbursements(month: date) -> int:
    """Write the reimbursement snapshot of `month` (payouts.ReimbursementSnapshot), in the close's transaction after
    its payouts: the reimbursements made by the batches up to `month`, read from the snapshot of the latest close
    before it that has one (payouts/selectors.py `reimbursements_made`). Returns the number of rows written."""
    paid = reimbursements_made(snapshot=latest_reimbursement_snapshot(before=month), until=month)
    rows = [(month, partner_id, currency, amount) for (partner_id, currency), amount in sorted(paid.items())]
    return insert_rows(ReimbursementSnapshot, ("month", "partner", "currency", "paid"), rows)


def reimbursement_snapshots_check() -> list[str]:
    """Each (month, partner, currency) whose reimbursement snapshot differs from the reimbursements of the payouts
    of every batch up to its month, summed from the payouts themselves (not from an earlier snapshot): one line
    each, empty when every snapshot agrees. Run by `parceria ledger-totals --check`."""
    stored: dict[date, dict[tuple[int, str], Decimal]] = {}
    for month, partner_id, currency, paid in ReimbursementSnapshot.objects.values_list(
        "month", "partner_id", "currency", "paid"
    ):
        stored.setdefault(month, {})[(partner_id, currency)] = paid
    for month in PayoutBatch.objects.filter(reimbursements_snapshot=True).values_list("period", flat=True):
        stored.setdefault(month, {})  # a close that snapshotted nothing: its payouts reimbursed nothing
    differences = []
    for month in sorted(stored):
        made, kept = reimbursements_made(snapshot=None, until=month), stored[month]
        for partner_id, currency in sorted(made.keys() | kept.keys()):
            want, have = made.get((partner_id, currency), Decimal(0)), kept.get((partner_id, currency), Decimal(0))
            if want != have:
                differences.append(f"{month:%Y-%m} partner {partner_id} {currency}: payouts {ledger_str(want)}, "
                                   f"snapshot {ledger_str(have)}")
    return differences


def reimbursement_snapshots_rebuild() -> int:
    """Recompute every reimbursement snapshot from the payouts, month after month, under the close's exclusive
    lock (`parceria ledger-totals --rebuild`). Returns the number of rows written."""
    table = fixedsql.table(ReimbursementSnapshot)
    with transaction.atomic():
        lock_periods(exclusive=True)
        months = sorted(set(PayoutBatch.objects.filter(reimbursements_snapshot=True).values_list("period", flat=True)))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # sums of the payouts, which stay as they are
        return sum(snapshot_reimbursements(month) for month in months)


PAYOUT_COLUMNS = (
    "id",
    "batch",
    "partner",
    "currency",
    "gross",
    "net",
    "reimbursement",
    "due_date",
    "payment_date",
    "payee_name",
    "payee_tax_id",
    "pix_key_type",
    "pix_key",
    "method",
    "account",
    "paid_from_currency",
    "paid_from_amount",
    "fx_rate",
    "fx_source",
    "fx_date",
    "created_at",
)


def paying_currency() -> str:
    """The currency the company pays from (PARCERIA["PAYING_CURRENCY"]): a payout in another currency records its net
    converted at the close's rate, for the partner's statement."""
    return str(settings.PARCERIA["PAYING_CURRENCY"])


def _paid_from(p: PlannedPayout) -> tuple[object, ...]:
    """The paying currency's columns of a payout: blank when it is paid in that currency or no rate was found."""
    if p.fx is None:
        return "", None, None, "", None
    return p.fx.quote, round_minor(multiply(p.net, p.fx.rate), p.fx.quote), p.fx.rate, p.fx.source, p.fx.on_date


def payout_dedupe_key(month: date, partner_id: int, currency: str) -> str:
    """The unique key of a payout's ledger line: a close pays a partner at most once per currency."""
    return f"payout:{month:%Y-%m}:{partner_id}:{currency}"


def payout_line_keys(payout: Payout) -> tuple[str, str]:
    """The keys the ledger line of `payout` may carry: its own, then `payout:<YYYY-MM>:<partner id>`, which
    closes wrote before a partner could be paid in two currencies by one close (one payout per partner and
    close then, so that key names one payout too)."""
    month = payout.batch.period
    return payout_dedupe_key(month, payout.partner_id, payout.currency), f"payout:{month:%Y-%m}:{payout.partner_id}"


def _post_payout_lines(plan: ClosePlan, payouts: list[int], month: date, actor: Actor, now: datetime) -> None:
    postings = []
    for payout_id, p in zip(payouts, plan.payouts, strict=True):
        taxes = "; ".join(f"{t.code} {t.amount}" for t in p.withholdings) or "none"
        refund = f"; of which marketing fund reimbursement {p.reimbursement}, not taxed" if p.reimbursement else ""
        posting = Posting(
            partner_id=p.partner_id,
            kind="payout",
            rule="payout",
            amount=-p.gross,
            currency=p.currency,
            rate=None,
            base=p.balance,
            dedupe_key=payout_dedupe_key(month, p.partner_id, p.currency),
            explanation=(
                f"Payout #{payout_id} for {month:%Y-%m}: balance {p.balance} {p.currency} paid "
                f"{p.gross} gross{refund} (withheld: {taxes}; net {p.net})"
            ),
        )
        context: dict[str, object] = {"occurred_at": now, "period": month}
        postings.append((posting, context))
    ledger_post(postings, created_by=actor.label, now=now)


def stored_close(batch: PayoutBatch) -> ClosePlan:
    """The close as it was written (for repeated calls)."""
    plan = ClosePlan(period=batch.period, batch_id=batch.pk)
    payouts = list(
        batch.payouts.prefetch_related("withholdings", "employer_contributions").order_by("partner_id", "currency")
    )
    for payout in payouts:
        plan.payment_date = payout.payment_date
        taxes = [WithholdingLine(w.rule_id, w.code, w.base, w.amount, w.explanation) for w in payout.withholdings.all()]
        costs = [
            ContributionLine(c.rule_id, c.code, c.base, c.amount, c.explanation)
            for c in payout.employer_contributions.all()
        ]
        plan.payouts.append(
            PlannedPayout(
                payout.partner_id, payout.currency, payout.gross, payout.gross, taxes, payout.net, costs,
                payout.reimbursement,
            )
        )
    plan.carried = [
        Carried(c.partner_id, c.currency, c.balance, c.reason)
        for c in batch.carried.order_by("partner_id", "currency")
    ]
    return plan
