"""The ledger writer: the only code that creates ledger lines (DESIGN rule 3), and with them the ledger-totals
projection (commissions/totals.py).

Lines are inserted, never updated or deleted. Each line has a unique dedupe key, so a posting that is
attempted twice (a retried event, a re-run close) fails on the database constraint rather than paying
twice; callers that may legitimately retry check for existing keys first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from parceria.commissions.engine import Posting
from parceria.commissions.models import ClosedPeriod, LedgerKind, LedgerLine, LedgerRule
from parceria.commissions.totals import group, totals_add
from parceria.common.bulk import insert_rows
from parceria.common.months import next_month

LEDGER_COLUMNS = (
    "partner",
    "kind",
    "rule",
    "amount",
    "currency",
    "event",
    "invoice",
    "customer",
    "plan",
    "rate",
    "base",
    "share",
    "fx_rate",
    "fx_source",
    "reverses",
    "explanation",
    "dedupe_key",
    "occurred_at",
    "period",
    "created_at",
    "created_by",
)


#: Advisory lock shared by ledger writers and taken exclusively by the close (PostgreSQL). On SQLite the
#: IMMEDIATE transactions already serialise writers.
PERIOD_LOCK_KEY = 72_610_001


class ClosedMonth(RuntimeError):
    """A posting into a closed month: a bug (the close posts its own lines before it records the month closed)."""


def month_of(moment: datetime) -> date:
    local = timezone.localtime(moment)
    return date(local.year, local.month, 1)


def first_open_period() -> date | None:
    """The first month after the last closed one (None when nothing was closed yet)."""
    last = ClosedPeriod.objects.order_by("-month").values_list("month", flat=True).first()
    return next_month(last) if last else None


def period_for(occurred_at: datetime, floor: date | None = None) -> date:
    """The accounting month a line posts into: the event's month in the platform's time zone, or the
    first open month when the event's month is already closed (the line keeps its own date)."""
    month = month_of(occurred_at)
    return max(month, floor) if floor else month


def lock_periods(*, exclusive: bool = False) -> None:
    """Writers take the period lock shared; the close takes it exclusively, so no line lands in a
    month while that month is being closed."""
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [PERIOD_LOCK_KEY])


def ledger_post(
    postings: Iterable[tuple[Posting, dict[str, object]]], *, created_by: str, now: datetime | None = None
) -> int:
    """Write postings. Each comes with its context: event_id, invoice_id, customer_id, occurred_at and,
    for the close's own payout lines, an explicit period.

    No line is ever posted into a closed month: a line's period is at least the first open month, and an explicit
    period before it is refused (ClosedMonth). The balance snapshots of closed months (BalanceSnapshot) rely on it."""
    postings = list(postings)
    if not postings:
        return 0
    now = now or timezone.now()
    lock_periods()
    floor = first_open_period()
    rows = []
    grouped: list[tuple[int, date, str, str, Decimal]] = []
    for posting, ctx in postings:
        occurred_at = ctx["occurred_at"]
        assert isinstance(occurred_at, datetime)
        period = ctx.get("period") or period_for(occurred_at, floor)
        assert isinstance(period, date)
        if floor is not None and period < floor:
            raise ClosedMonth(f"{period:%Y-%m} is closed: lines post into {floor:%Y-%m} or later")
        grouped.append((posting.partner_id, period, posting.kind, posting.currency, posting.amount))
        rows.append(
            (
                posting.partner_id,
                posting.kind,
                posting.rule,
                posting.amount,
                posting.currency,
                ctx.get("event_id"),
                ctx.get("invoice_id"),
                ctx.get("customer_id"),
                posting.plan_id,
                posting.rate,
                posting.base,
                posting.share,
                posting.fx_rate,
                posting.fx_source,
                posting.reverses_key,
                posting.explanation,
                posting.dedupe_key,
                occurred_at,
                period,
                now,
                created_by[:200],
            )
        )
    with transaction.atomic():
        count = insert_rows(LedgerLine, LEDGER_COLUMNS, rows)
        # The projection moves with the lines, in the same transaction (commissions/totals.py).
        totals_add(group(grouped))
    return count


def mdf_dedupe_key(claim_id: int) -> str:
    """The unique key of the ledger line that reimburses an approved marketing fund claim."""
    return f"mdf:{claim_id}"


def post_mdf_reimbursement(
    *, claim_id: int, partner_id: int, amount: Decimal, currency: str, explanation: str, created_by: str,
    now: datetime | None = None,
) -> str:
    """Write the ledger line of a marketing fund reimbursement (kind and rule `mdf`): once per claim, whatever
    the number of calls (the dedupe key names the claim). No commission rule, clawback or engine run touches
    these lines; the close pays them with the balance, outside the withholding base (payouts/close.py).
    Returns the line's dedupe key."""
    if amount <= 0:
        raise ValueError("a reimbursement is positive")
    key = mdf_dedupe_key(claim_id)
    if LedgerLine.objects.filter(dedupe_key=key).exists():
        return key
    now = now or timezone.now()
    posting = Posting(
        partner_id=partner_id, kind=LedgerKind.MDF, rule=LedgerRule.MDF, amount=amount, currency=currency,
        rate=None, base=None, explanation=explanation, dedupe_key=key,
    )
    ledger_post([(posting, {"occurred_at": now})], created_by=created_by, now=now)
    return key
