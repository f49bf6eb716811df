"""Where the money of a ledger line stands: still open, carried after a close, in a payout not yet paid, paid, or
in a payout that failed.

The rule needs payouts, which sit above the ledger, so the ledger only names the answer (`LineStatus`) and offers
a seam: payouts registers its rule (`payouts.selectors.ledger_line_statuses`) in its `AppConfig.ready()`, and the
ledger's pages ask `line_statuses(lines)`. Without a registered rule (payouts not installed) every line is open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import pgettext_lazy

from parceria.commissions.models import LedgerLine


class LineState(models.TextChoices):
    OPEN = "open", pgettext_lazy("ledger line status", "Open")
    CARRIED = "carried", pgettext_lazy("ledger line status", "Carried")
    SETTLED = "settled", pgettext_lazy("ledger line status", "Offset")
    IN_PAYOUT = "in_payout", pgettext_lazy("ledger line status", "In payout")
    PAID = "paid", pgettext_lazy("ledger line status", "Paid")
    FAILED = "failed", pgettext_lazy("ledger line status", "Payout failed")


@dataclass(frozen=True)
class LineStatus:
    """Where one line's money stands.

    open: its month is not closed yet; carried: its month is closed and the balance it is part of was carried
    (`reason`: below_minimum, negative, held, details_changed, no_fx_rate); settled: its month is closed and the
    balance was zero (other lines offset it); in_payout: in payout `payout_id`, not yet paid (due `due_date`);
    paid: in payout `payout_id`, paid on `paid_on`; failed: payout `payout_id` failed and the amount is back
    on the balance, to be paid at the next close."""

    state: str
    payout_id: int | None = None
    due_date: date | None = None
    paid_on: date | None = None
    reason: str = ""
    reason_label: str = ""

    @property
    def label(self) -> str:
        return str(LineState(self.state).label)


OPEN = LineStatus(LineState.OPEN)

Rule = Callable[[Sequence[LedgerLine]], dict[int, LineStatus]]
_rules: list[Rule] = []


def register_line_status_rule(rule: Rule) -> None:
    """Called once by payouts in its ready(): the rule that answers `line_statuses`."""
    if rule not in _rules:
        _rules.append(rule)


def line_statuses(lines: Sequence[LedgerLine]) -> dict[int, LineStatus]:
    """The status of each line, by line id, in a fixed number of queries however many lines are given."""
    lines = list(lines)
    if not _rules:
        return {line.pk: OPEN for line in lines}
    return _rules[-1](lines)
