"""The ledger writer: the only code that creates ledger lines (DESIGN rule 3).

Lines are inserted, never updated or deleted. Each line has a unique dedupe key, so a posting that is
attempted twice (a retried event, a re-run close) fails on the database constraint rather than paying
twice; callers that may legitimately retry check for existing keys first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone

from parceria.commissions.engine import Posting
from parceria.commissions.models import LedgerLine
from parceria.common.bulk import insert_rows

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


def period_for(occurred_at: datetime) -> date:
    """The accounting month a line posts into: the month of the event in the platform's time zone."""
    local = timezone.localtime(occurred_at)
    return date(local.year, local.month, 1)


def ledger_post(
    postings: Iterable[tuple[Posting, dict[str, object]]], *, created_by: str, now: datetime | None = None
) -> int:
    """Write postings. Each comes with its context: event_id, invoice_id, customer_id and occurred_at."""
    now = now or timezone.now()
    rows = []
    for posting, ctx in postings:
        occurred_at = ctx["occurred_at"]
        assert isinstance(occurred_at, datetime)
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
                period_for(occurred_at),
                now,
                created_by[:200],
            )
        )
    return insert_rows(LedgerLine, LEDGER_COLUMNS, rows)
