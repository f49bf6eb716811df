"""The analytics benchmark's in-process timings (run by bench/analytics_scorecard.py with the application's
environment): each analytic called as the pages call it, beside a bare aggregate over the same rows through the
same connection, each `--repeats` times (the first run cold for Django, the database's cache already warm from the
load and VACUUM).

Run as `python bench/_analytics_time.py FIRST_MONTH LAST_MONTH PERIOD [--repeats N]`; prints one JSON line:
{"timings": [{"name", "seconds": [...], ...}, ...]}.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import traceback
from collections.abc import Callable
from datetime import date
from typing import Any

import django
import orjson

BARE_AGGREGATE = """
SELECT c.partner_id, sum(i.amount) FROM customers_invoice i JOIN customers_customer c ON c.id = i.customer_id
WHERE i.paid_at >= %s AND i.paid_at < %s GROUP BY 1
"""


def _runs(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    seconds, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        seconds.append(round(time.perf_counter() - started, 3))
    return seconds, result


def _figure(name: str, seconds: list[float], **extra: Any) -> dict[str, Any]:
    return {"name": name, "seconds": seconds, "median_s": round(statistics.median(seconds), 3), **extra}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("first_month", type=date.fromisoformat)
    parser.add_argument("last_month", type=date.fromisoformat)
    parser.add_argument("period")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    django.setup()
    from django.db import connection

    from parceria.analytics import facts
    from parceria.analytics.monthly import local_start as _local
    from parceria.analytics.periods import parse_period
    from parceria.common.months import add_months

    first, last, repeats = args.first_month, args.last_month, args.repeats
    start, end = _local(first), _local(add_months(last, months=1))

    def bare() -> int:
        with connection.cursor() as cursor:
            cursor.execute(BARE_AGGREGATE, [start, end])
            return len(cursor.fetchall())

    timings: list[dict[str, Any]] = []
    seconds, groups = _runs(bare, repeats)
    timings.append(_figure("baseline_bare_aggregate", seconds, groups=groups, months=len(facts.months(first, last))))
    seconds, revenue = _runs(lambda: facts.revenue_by_month(first, last), repeats)
    timings.append(_figure("facts.revenue_by_month", seconds, keys=len(revenue.values),
                           unconverted=revenue.unconverted,
                           total_brl=str(sum(revenue.values.values()))))
    seconds, new = _runs(lambda: facts.new_customers_by_month(first, last), repeats)
    timings.append(_figure("facts.new_customers_by_month", seconds, keys=len(new), new_customers=sum(new.values())))

    period = parse_period(args.period)
    try:
        from parceria.analytics.benchmarks import partner_benchmarks  # type: ignore[import-not-found,unused-ignore]
        from parceria.analytics.scorecard import program_scorecard  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        timings.append({"name": "program_scorecard+partner_benchmarks", "skipped": "not built on this branch",
                        "detail": str(exc)})
    else:
        from parceria.analytics.benchmarks import partner_scorecard
        from parceria.analytics.models import BenchmarkSnapshot
        from parceria.analytics.rollup import ensure
        from parceria.partners.models import Partner

        seconds, _ = _runs(ensure, repeats)
        timings.append(_figure("rollup.ensure (up to date)", seconds))
        largest = Partner.objects.filter(status="active").order_by("id").first()
        if largest is not None:
            def cold() -> Any:
                BenchmarkSnapshot.objects.all().delete()
                return partner_scorecard(largest, period)

            seconds, _ = _runs(cold, repeats)
            timings.append(_figure("partner_scorecard (computed for its peer group and kept)", seconds,
                                   partner_id=largest.pk))
            seconds, _ = _runs(lambda: partner_scorecard(largest, period), repeats)
            timings.append(_figure("partner_scorecard (kept)", seconds, partner_id=largest.pk))

        def both() -> tuple[Any, Any]:
            return program_scorecard(period), partner_benchmarks(period)

        try:
            seconds, _ = _runs(both, repeats)
            split = {"program_scorecard": _runs(lambda: program_scorecard(period), 1)[0][0],
                     "partner_benchmarks": _runs(lambda: partner_benchmarks(period), 1)[0][0]}
            timings.append(_figure("program_scorecard+partner_benchmarks", seconds, period=period.key, split_s=split))
        except Exception as exc:  # reported, not hidden: the bench still reports the rest
            timings.append({"name": "program_scorecard+partner_benchmarks", "error": repr(exc),
                            "traceback": traceback.format_exc()[-2000:]})
    print(orjson.dumps({"timings": timings}).decode())


if __name__ == "__main__":
    main()
