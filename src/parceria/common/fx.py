"""FX rates as data (SPEC §15): import from the Banco Central do Brasil PTAX CSV, and look rates up.

PTAX file format (no header, ";"-separated, decimal comma), one line per currency and day::

    02012026;220;A;USD;5,4321;5,4327;1,0000;1,0000
    date DDMMYYYY; currency code; type; currency symbol; buy rate; sell rate; buy parity; sell parity

The buy and sell rates are the price in BRL of one unit of the currency, so a line becomes
``FxRate(base=<symbol>, quote="BRL", rate=<sell or buy rate>)``. Decisions:

* Only currencies Parceria pays in (`parceria.common.money.CURRENCIES`) are stored; the others are
  counted as skipped.
* Rates are evidence: a rate already stored for the same (base, quote, day) is never overwritten. The
  same rate again is a duplicate; a different rate is a conflict, reported with its line number.
* The inverse pair is stored too (quote → base, 1 / rate rounded half-even to 10 places, source
  "inverse of BCB PTAX sell"), because the intake converts an invoice's currency into the partner's
  payout currency: a USD invoice for a BRL partner needs USD→BRL, a BRL invoice for a USD partner needs
  BRL→USD. A line is all or nothing: if either of its pairs conflicts, neither is written.
* Cross rates (MXN→USD through BRL) are not derived.
* Look-up rule (the same as the intake's): the latest rate on or before the day, at most
  FX_MAX_AGE_DAYS old; otherwise there is no rate and the caller rejects the event.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction

from parceria.common import fixedsql
from parceria.common.errors import Conflict, InvalidInput
from parceria.common.models import FxRate
from parceria.common.money import CURRENCIES, FxQuote, divide

#: A rate older than this (in days) is stale: the event that needs it is rejected.
FX_MAX_AGE_DAYS = 7
#: FxRate stores 10 decimal places and 20 digits in all.
RATE_PLACES = Decimal("1E-10")
_RATE_LIMIT = Decimal(10) ** 10
PTAX_USES = ("sell", "buy")
PTAX_FIELDS = 8
_RATE_TEXT = re.compile(r"^\d+(,\d+)?$")
_SYMBOL = re.compile(r"^[A-Z]{3}$")
_ATTEMPTS = 3
_SOURCE_MAX_LENGTH = 80  # FxRate.source


@dataclass(frozen=True)
class FxLineProblem:
    """A line of an imported file that was not stored: malformed (`invalid`) or contradicting a stored
    rate (`conflict`)."""

    line: int
    text: str
    error: str
    code: str


@dataclass
class FxImportReport:
    """What an import did, counted in lines of the file (blank lines are not counted)."""

    lines: int = 0
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    rates_stored: int = 0
    skipped_currencies: list[str] = field(default_factory=list)
    rejected: list[FxLineProblem] = field(default_factory=list)


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    rates: tuple[tuple[str, str, date, Decimal, str], ...]  # (base, quote, day, rate, source): direct, inverse


class _LineInvalid(ValueError):
    pass


def fx_import_ptax(*, text: str, quote: str = "BRL", source: str = "BCB PTAX", use: str = "sell") -> FxImportReport:
    """Store the rates of a PTAX CSV (see the module docstring). Idempotent; bad lines are reported, good
    lines kept."""
    if use not in PTAX_USES:
        raise InvalidInput(f"use must be one of {', '.join(PTAX_USES)}, not {use!r}", code="invalid_use")
    if quote not in CURRENCIES:
        raise InvalidInput(f"unknown quote currency {quote!r}; supported: {', '.join(CURRENCIES)}")
    source = " ".join(source.split())
    if not source or len(f"inverse of {source} {use}") > _SOURCE_MAX_LENGTH:
        raise InvalidInput("source must be a short non-empty name such as 'BCB PTAX'", code="invalid_source")
    report = FxImportReport()
    lines = _parse(text, quote=quote, source=f"{source} {use}", use=use, report=report)
    if report.lines == 0:
        raise InvalidInput("the file holds no rates (it is empty)", code="empty_file")
    for _ in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                return _store(lines, report)
        except IntegrityError:  # a concurrent import stored one of our days first: look again
            continue
    raise Conflict("the import collided with concurrent imports too often; run it again", code="busy")


def _parse(text: str, *, quote: str, source: str, use: str, report: FxImportReport) -> list[_Line]:
    parsed: list[_Line] = []
    skipped: set[str] = set()
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        report.lines += 1
        try:
            base, day, rate = _parse_line(line, use=use)
        except _LineInvalid as exc:
            report.rejected.append(FxLineProblem(number, line[:200], str(exc), "invalid"))
            continue
        if base not in CURRENCIES or base == quote:
            report.skipped += 1
            skipped.add(base)
            continue
        inverse = divide(Decimal(1), rate).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)
        if inverse >= _RATE_LIMIT or inverse == 0:
            report.rejected.append(FxLineProblem(number, line[:200], f"{use} rate {rate} is out of range", "invalid"))
            continue
        rates = ((base, quote, day, rate, source), (quote, base, day, inverse, f"inverse of {source}"))
        parsed.append(_Line(number, line[:200], rates))
    report.skipped_currencies = sorted(skipped)
    return parsed


def _parse_line(line: str, *, use: str) -> tuple[str, date, Decimal]:
    fields = [f.strip() for f in line.split(";")]
    if len(fields) != PTAX_FIELDS:
        raise _LineInvalid(f"expected {PTAX_FIELDS} fields separated by ';', found {len(fields)}")
    day_text, _code, _type, symbol, buy_text, sell_text = fields[:6]
    day = _parse_day(day_text)
    symbol = symbol.upper()
    if not _SYMBOL.match(symbol):
        raise _LineInvalid(f"currency symbol {symbol!r} is not a 3-letter ISO 4217 code")
    buy = _parse_rate(buy_text, "buy")
    sell = _parse_rate(sell_text, "sell")
    return symbol, day, sell if use == "sell" else buy


def _parse_day(text: str) -> date:
    if len(text) != 8 or not text.isdigit():
        raise _LineInvalid(f"date {text!r} is not in the form DDMMYYYY")
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise _LineInvalid(f"date {text!r} is not a valid DDMMYYYY date") from None


def _parse_rate(text: str, name: str) -> Decimal:
    if not _RATE_TEXT.match(text):
        raise _LineInvalid(f"{name} rate {text!r} is not a number with a decimal comma (such as 5,4321)")
    try:
        rate = Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid numbers
        raise _LineInvalid(f"{name} rate {text!r} is not a number") from None
    if rate <= 0:
        raise _LineInvalid(f"{name} rate must be greater than zero, not {text}")
    if rate >= _RATE_LIMIT or rate != rate.quantize(RATE_PLACES):
        raise _LineInvalid(f"{name} rate {text} has more than 10 decimal places or is too large")
    return rate.quantize(RATE_PLACES)


def _store(lines: list[_Line], report: FxImportReport) -> FxImportReport:
    """Judge every line against the stored rates and the earlier lines of the file, then insert the new
    rates in one statement."""
    result = FxImportReport(
        lines=report.lines,
        skipped=report.skipped,
        skipped_currencies=list(report.skipped_currencies),
        rejected=list(report.rejected),
    )
    known = _stored_rates(lines)
    new_rows: list[FxRate] = []
    for line in lines:
        fresh = []
        conflicts = []
        for base, quote, day, rate, source in line.rates:
            stored = known.get((base, quote, day))
            if stored is None:
                fresh.append(FxRate(base=base, quote=quote, on_date=day, rate=rate, source=source))
            elif stored[0] != rate:
                conflicts.append(
                    f"{base}→{quote} on {day.isoformat()} is already stored as {stored[0]} ({stored[1]}); "
                    f"this line gives {rate}. Stored rates are never overwritten."
                )
        if conflicts:
            result.rejected.append(FxLineProblem(line.number, line.text, " ".join(conflicts), "conflict"))
            continue
        if not fresh:
            result.duplicates += 1
            continue
        result.imported += 1
        for row in fresh:
            known[(row.base, row.quote, row.on_date)] = (row.rate, row.source)
        new_rows.extend(fresh)
    FxRate.objects.bulk_create(new_rows, batch_size=500)
    result.rates_stored = len(new_rows)
    result.rejected.sort(key=lambda p: p.line)
    return result


def _stored_rates(lines: list[_Line]) -> dict[tuple[str, str, date], tuple[Decimal, str]]:
    if not lines:
        return {}
    keys = {(base, quote, day) for line in lines for base, quote, day, _, _ in line.rates}
    days = [day for _, _, day in keys]
    rows = FxRate.objects.filter(
        base__in={b for b, _, _ in keys},
        quote__in={q for _, q, _ in keys},
        on_date__gte=min(days),
        on_date__lte=max(days),
    ).values_list("base", "quote", "on_date", "rate", "source")
    return {(b, q, d): (Decimal(r).quantize(RATE_PLACES), s) for b, q, d, r, s in rows}


class FxBook:
    """The rates of some currency pairs over a range of days, loaded with one query, answering look-ups
    with the intake's rule: the latest rate on or before the day, at most FX_MAX_AGE_DAYS old."""

    def __init__(self, quotes: Mapping[tuple[str, str], list[FxQuote]]) -> None:
        self._quotes = {pair: sorted(rows, key=lambda q: q.on_date) for pair, rows in quotes.items()}
        self._days = {pair: [q.on_date for q in rows] for pair, rows in self._quotes.items()}

    @classmethod
    def load(cls, pairs: Iterable[tuple[str, str]], first_day: date, last_day: date) -> FxBook:
        wanted = {(b, q) for b, q in pairs if b != q}
        if not wanted:
            return cls({})
        quotes: dict[tuple[str, str], list[FxQuote]] = defaultdict(list)
        # Fixed SQL: the portal's dashboard asks for a rate on every request.
        bases, base_params = fixedsql.any_of("base", sorted({b for b, _ in wanted}))
        quotes_in, quote_params = fixedsql.any_of("quote", sorted({q for _, q in wanted}))
        day = connection.ops.adapt_datefield_value
        sql = (f"SELECT base, quote, on_date, rate, source FROM {fixedsql.table(FxRate)} "
               f"WHERE {bases} AND {quotes_in} AND on_date >= %s AND on_date <= %s")
        params = [*base_params, *quote_params, day(first_day - timedelta(days=FX_MAX_AGE_DAYS)), day(last_day)]
        fields = [None, None, FxRate._meta.get_field("on_date"), FxRate._meta.get_field("rate"), None]
        for base, quote, on_date, rate, source in fixedsql.fetch(sql, params, fields):
            if (base, quote) in wanted:
                quotes[(base, quote)].append(FxQuote(base, quote, Decimal(rate), source, on_date))
        return cls(quotes)

    def quote(self, base: str, quote: str, day: date) -> FxQuote | None:
        days = self._days.get((base, quote))
        if not days:
            return None
        index = bisect.bisect_right(days, day) - 1
        if index < 0:
            return None
        found = self._quotes[(base, quote)][index]
        return found if day - found.on_date <= timedelta(days=FX_MAX_AGE_DAYS) else None

    def quotes_on(self, day: date) -> dict[tuple[str, str], FxQuote]:
        """Every pair's usable quote on `day` (the mapping the engine takes)."""
        found = {pair: self.quote(pair[0], pair[1], day) for pair in self._quotes}
        return {pair: q for pair, q in found.items() if q is not None}


def fx_quote(base: str, quote: str, on_date: date) -> FxQuote | None:
    """The rate to convert `base` into `quote` on `on_date` (latest on or before, at most
    FX_MAX_AGE_DAYS old), or None. The same currency converts at 1."""
    if base == quote:
        return FxQuote(base, quote, Decimal(1), "identity", on_date)
    return FxBook.load([(base, quote)], on_date, on_date).quote(base, quote, on_date)
