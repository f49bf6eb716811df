"""CSV import of events (SPEC §5.2): each row becomes the dict a JSON client would send and goes through the same
validation and intake as POST /api/v1/events (`parse_event`, `events_ingest`), in batches of 1,000 rows.

The file:
- is UTF-8, with or without a byte-order mark, or UTF-16 with its byte-order mark. Other bytes (a Latin-1 or
  Windows-1252 file, a binary file) refuse the whole file, naming the first byte that is not UTF-8 and its line;
- begins with a header naming its columns in any order: id, type, occurred_at, customer (required) and, by type,
  invoice_id, amount, currency, period_start, period_end, coupon_code, quantity, integration_partner_id, score.
  A column of another name, or one named twice, refuses the whole file. Cells are separated by commas or, when
  the header has no comma, by semicolons or tabs (as spreadsheets save them);
- has one event per row (a quoted cell may span lines). A cell is trimmed; an empty cell is an absent field;
  score and integration_partner_id cells of digits are numbers, as in JSON. Blank rows are skipped.

As in an API batch, the rows are judged one by one: a bad row is reported with its line, the column to blame
when there is one, and a message, and the good rows are ingested. A row is bad when it has more cells than the
header has columns, when a quoted cell is followed by something other than a comma or the line's end, or when
the shared event validation refuses its event (NUL characters, text over 200 characters, a bad amount, ...).
A file that cannot be split into rows is refused whole before anything is stored: an encoding problem, a missing
or bad header, or a quote that opens and never closes (the error names the line where it opened).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from parceria.commissions.intake import Rejection, events_ingest
from parceria.common.csvfile import CsvFileError, decode, delimiter_of
from parceria.customers.event_schemas import EVENT_FIELDS, INTEGER_FIELDS, reported_id
from parceria.customers.models import EventSource

REQUIRED_COLUMNS = ("id", "type", "occurred_at", "customer")
CHUNK = 1000
#: The largest file the console accepts (about 100,000 rows); `parceria import-events` takes any size.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_UNCLOSED = "unexpected end of data"  # the csv module's word for a quote still open at the end of the file

# The reader refuses a cell over 131,072 characters by default, in the middle of a row. Cells are judged by the
# event rules instead (text of at most 200 characters), so the reader is told to read any cell.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))


@dataclass(frozen=True)
class CsvRow:
    """A row of the file as the event a JSON client would send."""

    line: int
    event: dict[str, Any]


def _shown(name: str) -> str:
    return repr(name[:40]) + ("…" if len(name) > 40 else "")


class EventsCsv:
    """A CSV file of events: its text decoded and its header read, or CsvFileError."""

    def __init__(self, data: bytes) -> None:
        self.text = decode(data)
        self.delimiter = delimiter_of(self.text)
        self.columns = self._header()
        self._id_column = self.columns.index("id")

    def _reader(self) -> Any:
        return csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter, strict=True)

    def _header(self) -> list[str]:
        try:
            cells: list[str] = next(self._reader(), [])
        except csv.Error as exc:
            if str(exc) == _UNCLOSED:
                raise CsvFileError("a quote in the header is never closed", line=1) from None
            raise CsvFileError(f"the header cannot be read as CSV ({exc})", line=1) from None
        names = [cell.strip() for cell in cells]
        if not any(names):
            raise CsvFileError(f"the first line must be the header, e.g. {','.join(EVENT_FIELDS)}", line=1)
        if any("\x00" in name for name in names):
            raise CsvFileError(
                "the header holds NUL characters: the file is not UTF-8 text (UTF-16 without its byte-order mark, "
                "or not a text file). Save it as UTF-8 and import it again",
                line=1,
            )
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise CsvFileError(f"the CSV header lacks the column(s): {', '.join(missing)}", line=1)
        unknown = [name for name in names if name not in EVENT_FIELDS]
        if unknown:
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            raise CsvFileError(
                f"the header names unknown column(s): {', '.join(_shown(n) for n in unknown[:5])}{more}; "
                f"the columns are {', '.join(EVENT_FIELDS)}",
                line=1,
            )
        repeated = [name for name, n in Counter(names).items() if n > 1]
        if repeated:
            raise CsvFileError(f"the header names a column more than once: {', '.join(repeated)}", line=1)
        return names

    def _records(self) -> Iterator[tuple[int, list[str] | csv.Error]]:
        """(line, cells) for each non-blank record after the header, or (line, the reader's error) for a line it
        cannot read. Raises CsvFileError at a quote that is never closed."""
        reader = self._reader()
        next(reader)
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if str(exc) == _UNCLOSED:
                    raise self._unclosed_quote(line) from None
                yield line, exc
                continue
            if "".join(cells).strip():
                yield line, cells

    def check(self) -> int:
        """Read the whole file once without storing anything: CsvFileError if it cannot be split into rows, else
        the number of rows (good or bad) it holds."""
        return sum(1 for _ in self._records())

    def rows(self) -> Iterator[CsvRow | Rejection]:
        """Each row in order: its event, or the rejection of its line (Rejection.index is the line)."""
        width = len(self.columns)
        for line, cells in self._records():
            if isinstance(cells, csv.Error):
                yield Rejection(line, None, self._malformed(cells), "malformed_line")
            elif len(cells) > width:
                yield Rejection(
                    line,
                    reported_id({"id": cells[self._id_column].strip()}),
                    f"the line has {len(cells)} cells but the header has {width} columns; cells beyond the header "
                    "are not imported, so the line is refused",
                    "too_many_cells",
                    str(width + 1),
                )
            else:
                yield CsvRow(line, self._event(cells))

    def _event(self, cells: list[str]) -> dict[str, Any]:
        event: dict[str, Any] = {}
        for name, cell in zip(self.columns, cells, strict=False):  # a shorter row: its last fields are absent
            text = cell.strip()
            if text:
                event[name] = int(text) if name in INTEGER_FIELDS and _INTEGER.fullmatch(text) else text
        return event

    def _malformed(self, exc: csv.Error) -> str:
        if "expected after" in str(exc):
            return (
                f"a quoted cell must be followed by {'a comma' if self.delimiter == ',' else repr(self.delimiter)} "
                'or the end of the line (a quote inside a quoted cell is written twice: "")'
            )
        return f"the line cannot be read as CSV ({exc})"

    def _unclosed_quote(self, row_line: int) -> CsvFileError:
        lines = io.StringIO(self.text, newline="")
        for _ in range(row_line - 1):
            next(lines)
        opened = _opening_line(lines, row_line, self.delimiter)
        return CsvFileError(
            "a quote opened on this line is never closed, so every line after it would be read as one cell; "
            'close the quote (a quote inside a quoted cell is written twice: "") and import the file again. '
            "Nothing was imported",
            line=opened,
        )


def _opening_line(lines: Iterator[str], first: int, delimiter: str) -> int:
    """The line of the last quote that opens a cell in the row starting at line `first` (whose quote never closes)."""
    opened, quoted = first, False
    for number, line in enumerate(lines, start=first):
        at = 0
        while True:
            if quoted:
                close = line.find('"', at)
                if close < 0:
                    break  # the quoted cell goes on over the line break
                if line.startswith('"', close + 1):
                    at = close + 2
                else:
                    quoted, at = False, close + 1
            elif line.startswith('"', at):
                quoted, opened, at = True, number, at + 1
            else:
                comma = line.find(delimiter, at)
                if comma < 0:
                    return opened
                at = comma + 1
    return opened


@dataclass
class ImportReport:
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)  # index: the line
    batch_ids: list[int] = field(default_factory=list)


@dataclass
class _Chunk:
    events: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    refused: list[Rejection] = field(default_factory=list)


def events_import_csv(
    *, data: bytes, submitted_by: str, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Import a CSV file of events; `progress(done, total)` is told the rows done after each batch. Raises
    CsvFileError, having stored nothing, when the file as a whole cannot be read."""
    events_csv = EventsCsv(data)
    total = events_csv.check()
    report = ImportReport()
    chunk = _Chunk()
    for item in events_csv.rows():
        if isinstance(item, CsvRow):
            chunk.events.append(item.event)
            chunk.lines.append(item.line)
        else:
            chunk.refused.append(item)
        if len(chunk.events) + len(chunk.refused) == CHUNK:
            _ingest_chunk(chunk, report, submitted_by)
            chunk = _Chunk()
            if progress:
                progress(report.rows, total)
    if chunk.events or chunk.refused:
        _ingest_chunk(chunk, report, submitted_by)
    if progress:
        progress(report.rows, total)
    return report


def _ingest_chunk(chunk: _Chunk, report: ImportReport, submitted_by: str) -> None:
    result = events_ingest(
        items=chunk.events,
        source=EventSource.CSV,
        submitted_by=submitted_by,
        limit=CHUNK,
        positions=chunk.lines,
        refused=chunk.refused,
    )
    report.rows += len(chunk.events) + len(chunk.refused)
    report.accepted += result.accepted
    report.duplicates += result.duplicates
    report.rejected.extend(result.rejected)
    if result.batch_id is not None:
        report.batch_ids.append(result.batch_id)
