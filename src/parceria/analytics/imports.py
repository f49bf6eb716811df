"""Importing program figures (analytics.inputs) in bulk: a CSV file from the console, or a JSON list through
`PUT /api/v1/analytics/figures`. Both go row by row through `inputs.figure_record` (the one writer) inside one
transaction: all or nothing. Every bad row is reported with its line (the CSV file's line, or the item's position in
the JSON list, from 1), as is a row that repeats another's key, month and partner; then nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from parceria.analytics.inputs import figure_record
from parceria.common.audit import Actor
from parceria.common.csvfile import CsvLine
from parceria.common.errors import InvalidInput, TooLarge
from parceria.common.months import parse_month
from parceria.deals.uploads import RowError, UploadRefused
from parceria.partners.models import Partner

FIGURE_COLUMNS = ("key", "month", "partner_id", "value", "currency", "source")
FIGURE_REQUIRED = ("key", "month", "value")
FIGURE_EXAMPLE = ["partner_program_cost", "2026-03", "", "42000.00", "BRL", "finance report March"]
#: The largest file and the most rows (or JSON items) one import takes.
FIGURES_MAX_BYTES = 1024 * 1024
FIGURES_MAX_ROWS = 5000
#: A value as a person writes it: digits with a decimal point or comma (no exponent, no thousands separators).
_PARTNER_ID = re.compile(r"[0-9]{1,18}")
_NUMBER = re.compile(r"-?[0-9]{1,16}([.,][0-9]{1,4})?")


@dataclass(frozen=True)
class FigureRow:
    line: int
    key: str
    month: date
    partner_id: int | None
    value: Decimal
    currency: str
    source: str


@dataclass
class FiguresResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _parse(line: int, cells: dict[str, str]) -> FigureRow:
    key = cells.get("key", "").strip()
    if not key:
        raise InvalidInput(_("The key is required."), details={"field": "key"})
    month = parse_month(cells.get("month", "").strip(), field="month")
    partner_text = cells.get("partner_id", "").strip()
    if partner_text and not _PARTNER_ID.fullmatch(partner_text):
        raise InvalidInput(_("partner_id must be a partner's number, got %(text)r") % {"text": partner_text},
                           details={"field": "partner_id"})
    text = cells.get("value", "").strip()
    if not _NUMBER.fullmatch(text):
        raise InvalidInput(_("The value must be a decimal number such as 1234.56, got %(text)r") % {"text": text},
                           details={"field": "value"})
    value = Decimal(text.replace(",", "."))
    return FigureRow(line, key, month, int(partner_text) if partner_text else None, value,
                     cells.get("currency", "").strip().upper(), cells.get("source", "").strip())


def _error(line: int, exc: InvalidInput) -> RowError:
    where = exc.details.get("field", "") if isinstance(exc.details, dict) else ""
    return RowError(line, str(where), exc.message)


def figures_import(entries: list[tuple[int, dict[str, str]]], *, actor: Actor, source: str = "") -> FiguresResult:
    """Record every (line, cells) entry, or none: UploadRefused listing each bad line; TooLarge (413) above
    FIGURES_MAX_ROWS rows. `source` is the default source of the rows (the file's name)."""
    if len(entries) > FIGURES_MAX_ROWS:
        raise TooLarge(_("The import has %(count)s rows; the limit is %(limit)s. Split it.") % {
            "count": len(entries), "limit": FIGURES_MAX_ROWS}, details={"limit": FIGURES_MAX_ROWS})
    errors: list[RowError] = []
    rows: list[FigureRow] = []
    seen: dict[tuple[str, date, int | None], int] = {}
    for line, cells in entries:
        try:
            row = _parse(line, cells)
        except InvalidInput as exc:
            errors.append(_error(line, exc))
            continue
        first = seen.setdefault((row.key, row.month, row.partner_id), line)
        if first != line:
            errors.append(RowError(line, "key", _("Line %(line)s repeats line %(first)s (the same key, month and "
                                                  "partner).") % {"line": line, "first": first}))
            continue
        rows.append(row)
    partners = Partner.objects.in_bulk({r.partner_id for r in rows if r.partner_id is not None})
    result = FiguresResult()
    with transaction.atomic():
        for row in rows:
            partner = None
            if row.partner_id is not None:
                partner = partners.get(row.partner_id)
                if partner is None:
                    errors.append(RowError(row.line, "partner_id", _("There is no partner %(id)s.") % {
                        "id": row.partner_id}))
                    continue
            try:
                with transaction.atomic():
                    _figure, outcome = figure_record(key=row.key, month=row.month, value=row.value, actor=actor,
                                                     partner=partner, currency=row.currency,
                                                     source=row.source or source)
            except InvalidInput as exc:
                errors.append(_error(row.line, exc))
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise UploadRefused(sorted(errors, key=lambda e: e.line))
    return result


def figures_from_csv(rows: list[CsvLine], *, actor: Actor, source: str = "") -> FiguresResult:
    """The CSV file's rows (common.csvfile.read_table with FIGURE_COLUMNS) imported by `figures_import`; a line
    the reader could not split is a bad row."""
    unreadable = [RowError(r.line, "", r.error) for r in rows if r.error]
    if unreadable:
        raise UploadRefused(unreadable)
    return figures_import([(r.line, r.cells) for r in rows], actor=actor, source=source)
