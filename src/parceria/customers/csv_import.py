"""CSV import of events: the same validation and intake as the API, in batches of 1,000.

Columns (header required, any order): id, type, occurred_at, customer, and by type invoice_id, amount,
currency, period_start, period_end, quantity, integration_partner_id, score. Empty cells are omitted.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from parceria.customers.intake import Rejection, events_ingest
from parceria.customers.models import EventSource

REQUIRED_COLUMNS = ("id", "type", "occurred_at", "customer")
INTEGER_COLUMNS = ("score", "integration_partner_id")
CHUNK = 1000


@dataclass
class ImportReport:
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)


class CsvFormatError(ValueError):
    pass


def _row_to_event(row: dict[str, str | None]) -> dict[str, Any]:
    event: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None or value.strip() == "":
            continue
        name = key.strip()
        text = value.strip()
        event[name] = int(text) if name in INTEGER_COLUMNS and text.lstrip("-").isdigit() else text
    return event


def read_events(handle: IO[str]) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(handle)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CsvFormatError(f"the CSV header lacks the column(s): {', '.join(missing)}")
    for row in reader:
        yield _row_to_event(row)


def count_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def events_import_csv(*, path: Path, submitted_by: str, progress: Callable[[int], None] | None = None) -> ImportReport:
    report = ImportReport()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        chunk: list[dict[str, Any]] = []
        for event in read_events(handle):
            chunk.append(event)
            if len(chunk) == CHUNK:
                _ingest_chunk(chunk, report, submitted_by, progress)
                chunk = []
        if chunk:
            _ingest_chunk(chunk, report, submitted_by, progress)
    return report


def _ingest_chunk(
    chunk: list[dict[str, Any]], report: ImportReport, submitted_by: str, progress: Callable[[int], None] | None
) -> None:
    result = events_ingest(items=chunk, source=EventSource.CSV, submitted_by=submitted_by, limit=CHUNK)
    offset = report.rows
    report.rows += len(chunk)
    report.accepted += result.accepted
    report.duplicates += result.duplicates
    # index → CSV line number (line 1 is the header)
    report.rejected.extend(Rejection(offset + r.index + 2, r.id, r.error, r.code) for r in result.rejected)
    if progress:
        progress(len(chunk))
