"""Legal holds: what must be kept whatever a retention rule or an anonymisation says.

The fiscal hold is data: payouts, their withholdings and employer contributions, income statements (informes) and
the ledger lines they rest on are kept for FISCAL_HOLD_YEARS full years after the end of the fiscal (calendar) year
they belong to. Source: CTN (Lei 5.172/1966) art. 173 I (the tax authority may assess within five years counted from
the first day of the year after the one the tax could be assessed) and art. 195 sole paragraph (books and documents
kept until the limitation of the claims they concern); LGPD art. 16 I allows keeping personal data to comply with a
legal obligation. [verify] with the company's accountant: some records (payroll-like contributions, lawsuits) can call
for longer holds, which staff place as LegalHold rows.

Explicit holds (LegalHold rows) cover a partner's records (partner_id) or a person's (subject_email) until released.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from parceria.privacy.models import LegalHold


@dataclass(frozen=True)
class FiscalHold:
    years_after_fiscal_year: int
    citation: str
    effective_from: dt.date


#: Versioned: the hold in force is the latest whose effective_from is on or before the day asked about.
FISCAL_HOLDS = (
    FiscalHold(
        years_after_fiscal_year=5,
        citation="CTN art. 173 I and art. 195 sole paragraph; LGPD art. 16 I [verify]",
        effective_from=dt.date(2000, 1, 1),
    ),
)


def fiscal_hold(on: dt.date) -> FiscalHold:
    """The fiscal hold rule in force on a day."""
    return [h for h in FISCAL_HOLDS if h.effective_from <= on][-1]


def fiscal_hold_until(record_date: dt.date) -> dt.date:
    """The last day a fiscal record dated `record_date` must be kept: 31 December of its fiscal year + N."""
    return dt.date(record_date.year + fiscal_hold(record_date).years_after_fiscal_year, 12, 31)


def under_fiscal_hold(record_date: dt.date, today: dt.date) -> bool:
    return today <= fiscal_hold_until(record_date)


def active_holds(today: dt.date) -> Q:
    """The filter of LegalHold rows in force on `today`."""
    return Q(released_at__isnull=True) & (Q(until__isnull=True) | Q(until__gte=today))


def held_partner_ids(today: dt.date) -> set[int]:
    """Partners whose records an explicit hold keeps on `today`."""
    held = LegalHold.objects.filter(active_holds(today), partner_id__isnull=False).values_list("partner_id", flat=True)
    return {pk for pk in held if pk is not None}


def held_emails(today: dt.date) -> set[str]:
    """People (by e-mail, lower case) whose records an explicit hold keeps on `today`."""
    return {
        e.lower()
        for e in LegalHold.objects.filter(active_holds(today))
        .exclude(subject_email="")
        .values_list("subject_email", flat=True)
    }
