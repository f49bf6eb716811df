"""The retention schedule as data: per rule how long its records are kept and why (`parceria retention`, retention.py).

LGPD art. 15–16: personal data is removed once its purpose is met, unless a legal obligation (art. 16 I) or the
exercise of rights (art. 7 VI) keeps it; art. 6 III (necessity) asks for no more than the purpose needs. Each period
below is the shortest that still serves what reads those records, and cites why. [verify]: the periods are the
product's defaults, to be confirmed by the controller's DPO and recorded in its record of processing.

Versioned like the fiscal hold (holds.py): a rule's period in force is the latest entry for it whose effective_from is
on or before the day judged. Fiscal records (payouts, withholdings, informes, the ledger, bank files) are not here:
they are kept under the fiscal hold and no rule touches them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


class Action:
    DELETE = "delete"  # the rows are deleted
    CLEAR = "clear"  # the personal fields are cleared; the rows (and what they count) stay


@dataclass(frozen=True)
class RetentionPeriod:
    rule: str
    what: Promise
    action: str
    days: int = 0
    months: int = 0
    reason: str = ""
    effective_from: dt.date = dt.date(2000, 1, 1)


SCHEDULE: tuple[RetentionPeriod, ...] = (
    RetentionPeriod(
        rule="referral_clicks",
        what=pgettext_lazy("retention", "Referral clicks: visitor's address hash, browser and referring page"),
        action=Action.CLEAR,
        months=13,
        reason=(
            "Legitimate interest (art. 7 IX) in counting clicks and spotting click bursts. Attribution never reads "
            "clicks (codes attribute: customers.attribution) and a burst spans minutes, so 13 months covers a full "
            "year of comparisons plus the month a late review of a flag takes. Afterwards the click keeps its link "
            "and time (the links' click counts stay) and loses the hashed address, browser and referrer; clicks that "
            "could still join a burst with newer ones are kept until they cannot. [verify]"
        ),
    ),
    RetentionPeriod(
        rule="event_batch_rejections",
        what=pgettext_lazy("retention", "Rejected events of intake batches: values quoted in the error"),
        action=Action.CLEAR,
        days=90,
        reason=(
            "The rejections serve the sender to fix and resend its events (art. 7 V); 90 days covers a quarter's "
            "reconciliation. Only the index, id, code, field and error stay: values of the sent event quoted in the "
            "error (a customer's external id may be an e-mail or a CPF) are replaced by '…'. [verify]"
        ),
    ),
    RetentionPeriod(
        rule="expired_sessions",
        what=pgettext_lazy("retention", "Expired sign-in sessions"),
        action=Action.DELETE,
        days=0,
        reason=(
            "A session is needed only while it is valid (art. 15 I: purpose met); expired sessions are deleted from "
            "the day after they expire, as Django's clearsessions does. [verify]"
        ),
    ),
    RetentionPeriod(
        rule="sign_in_attempts",
        what=pgettext_lazy("retention", "Sign-in attempts (user name, address, time)"),
        action=Action.DELETE,
        months=6,
        reason=(
            "A sign-in attempt is an access record (user, network address, date and time): Marco Civil da Internet "
            "(Lei 12.965/2014) art. 15 has providers of internet applications keep access records for 6 months; the "
            "throttle itself reads only minutes (security, LGPD arts. 7 II, 7 IX and 46). [verify]"
        ),
    ),
    RetentionPeriod(
        rule="sealed_identities",
        what=pgettext_lazy("retention", "Sealed identities of anonymised people whose fiscal hold has ended"),
        action=Action.DELETE,
        days=0,
        reason=(
            "Kept only for the fiscal hold of the records they were taken from (holds.py: CTN art. 173 I, LGPD art. "
            "16 I); deleted from the day after hold_until. [verify]"
        ),
    ),
    RetentionPeriod(
        rule="webhook_events",
        what=pgettext_lazy("retention", "Outbound webhook events with their deliveries, attempts and notifications"),
        action=Action.DELETE,
        months=6,
        reason=(
            "The events sent to partners' webhook receivers and chat channels, and the receivers' answers, serve "
            "to follow and resend deliveries (art. 7 V); six months covers a partner's questions about a missed "
            "event. Only events none of whose deliveries or notifications is still pending are deleted; the sharing "
            "log keeps the record that each was sent. [verify]"
        ),
    ),
)

#: Raw inputs looked for and found not kept, so no rule is needed (checked for issue #16; add a rule if one starts
#: keeping its file): a partner's customer list for account mapping (only keyed digests are stored), CSV files of
#: events and of deal registrations, bank return files (read, then dropped). Dispute attachments, marketing-fund
#: proofs and agreement documents are records of a decision or a contract, not raw inputs: never removed here.
NOT_KEPT = (
    "mapping customer lists",
    "CSV event imports",
    "CSV deal registration imports",
    "CNAB return files",
)


def period(rule: str, on: dt.date) -> RetentionPeriod:
    """The period of `rule` in force on a day. KeyError if the schedule has none."""
    found = [p for p in SCHEDULE if p.rule == rule and p.effective_from <= on]
    if not found:
        raise KeyError(rule)
    return found[-1]


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - months
    year, month = divmod(month, 12)
    last = (dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(day.day, last))


def cutoff_day(entry: RetentionPeriod, today: dt.date) -> dt.date:
    """Records dated before this day are past the period (those of the day itself are kept)."""
    return _months_before(today, entry.months) - dt.timedelta(days=entry.days)


def period_text(entry: RetentionPeriod) -> str:
    parts = []
    if entry.months:
        parts.append(f"{entry.months} months")
    if entry.days or not entry.months:
        parts.append(f"{entry.days} days")
    return " + ".join(parts)
