"""Partner satisfaction on the 1–5 scale, per month and partner: the one merge both the scorecard's KPI
(kpis.partner_nps) and the benchmarks' nps read.

The quarterly partner survey (community) is the source: a partner's mean 0–10 answer of a quarter, converted to 1–5
by 1 + score × 0.4, in the months of the quarter in which its users answered (community.selectors.
survey_satisfaction). An imported ProgramFigure `partner_satisfaction` stays for the partners and months the survey
has no answer for (docs/analytics.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from parceria.analytics.models import ProgramFigure
from parceria.community.selectors import survey_satisfaction


def partner_satisfaction(first: date, last: date) -> dict[date, dict[int, Decimal]]:
    """month → partner → satisfaction (1–5), months `first`..`last` (first days): the survey's where it has an answer,
    else the imported figure."""
    out: dict[date, dict[int, Decimal]] = defaultdict(dict)
    for month, partner, value in ProgramFigure.objects.filter(
            key="partner_satisfaction", month__gte=first, month__lte=last, partner__isnull=False,
    ).values_list("month", "partner_id", "value"):
        out[month][partner] = value
    for month, partners in survey_satisfaction(first, last).items():
        out[month].update(partners)
    return dict(out)
