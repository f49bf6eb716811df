"""The one CSV writer: RFC 4180 text (CRLF line ends) whose text cells cannot run as spreadsheet formulas.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return, which some strip first) as
a formula, so such a text cell gets a leading apostrophe, which spreadsheets show as text (OWASP "CSV
injection"). A cell that is a plain decimal number ("-12.50", "+3") is a number, not a formula, and is kept as
it is, so signed amounts stay amounts. Cells that are not text (numbers, dates) are written as they are.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from parceria.common.errors import InvalidInput

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def safe_cell(value: object) -> object:
    """`value`, or the text with a leading apostrophe when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(
    rows: Iterable[Sequence[object]],
    *,
    header: Sequence[str] = (),
    delimiter: str = ",",
    render: Callable[[object], object] | None = None,
) -> str:
    """The CSV text of `header` (when given) and `rows`, every text cell made safe. `render`, when given, writes
    each cell that is not text (a number, a date), e.g. with a decimal comma: the guard sees the value, not its
    rendering, so a negative amount written "-12,50" stays a number."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if header:
        writer.writerow([safe_cell(str(cell)) for cell in header])
    writer.writerows([_cell(cell, render) for cell in row] for row in rows)
    return buffer.getvalue()


def _cell(value: object, render: Callable[[object], object] | None) -> object:
    if isinstance(value, str) or render is None:
        return safe_cell(value)
    return render(value)


# Reading: the one decoder of uploaded CSV files (events, opportunities, deal registrations).


class CsvFileError(InvalidInput):
    """The file as a whole cannot be read (its encoding, its header, a quote never closed, too many rows): nothing
    of it is imported. `line` is the line to look at."""

    code = "invalid_csv"

    def __init__(self, message: str, *, line: int) -> None:
        super().__init__(f"line {line}: {message}", details={"line": line})
        self.line = line


def _lines_in(text: str) -> int:
    """How many line breaks `text` holds, counted as the reader counts them (\\n, \\r\\n or \\r)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def decode(data: bytes) -> str:
    """The file's text: UTF-8 with or without a byte-order mark, or UTF-16 with one; anything else is refused."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise CsvFileError("the file is UTF-32 text; save it as UTF-8 and import it again", line=1)
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _decoded(data[len(bom) :], encoding, "UTF-16")
    return _decoded(data.removeprefix(codecs.BOM_UTF8), "utf-8", "UTF-8")


def _decoded(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _lines_in(data[: exc.start].decode(encoding, errors="replace")) + 1
        hint = " (a Latin-1 or Windows-1252 file, or not a text file)" if name == "UTF-8" else ""
        raise CsvFileError(
            f"the file is not {name} text: byte 0x{data[exc.start]:02X} cannot be read as {name}{hint}. "
            "Save the file as UTF-8 and import it again",
            line=line,
        ) from None


def delimiter_of(text: str) -> str:
    """A comma, or a semicolon or tab when the header line has no comma (spreadsheets in pt-BR save with ';')."""
    ends = [at for at in (text.find("\n"), text.find("\r")) if at >= 0]
    header = text[: min(ends)] if ends else text
    return next((d for d in (",", ";", "\t") if d in header), ",")


class TooManyRows(CsvFileError):
    """A file over its row limit (413, like a body over its size)."""

    status = 413
    code = "too_large"


@dataclass(frozen=True)
class CsvLine:
    """A row of an uploaded table: its line in the file and its cells by column (trimmed; a missing cell is ""), or
    `error`, why the line cannot be read."""

    line: int
    cells: dict[str, str]
    error: str = ""


def read_table(data: bytes, *, columns: Sequence[str], required: Sequence[str] = (),
               max_rows: int) -> list[CsvLine]:
    """The rows of an uploaded CSV table whose header names `columns` (any order; those in `required` must be
    there). The file is refused whole (CsvFileError) for its encoding, its header, a quote never closed or more than
    `max_rows` rows; a line with more cells than the header, or one the reader cannot split, comes back with its
    `error`. Blank lines are skipped."""
    text = decode(data)
    delimiter = delimiter_of(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
    except csv.Error as exc:
        raise CsvFileError(f"the header cannot be read as CSV ({exc})", line=1) from None
    if not any(header):
        raise CsvFileError(f"the first line must be the header, e.g. {','.join(columns)}", line=1)
    missing = [c for c in required if c not in header]
    if missing:
        raise CsvFileError(f"the header lacks the column(s): {', '.join(missing)}", line=1)
    unknown = [name for name in header if name not in columns]
    if unknown:
        raise CsvFileError(f"the header names unknown column(s): {', '.join(repr(n[:40]) for n in unknown[:5])}; "
                           f"the columns are {', '.join(columns)}", line=1)
    repeated = [name for name, n in Counter(header).items() if n > 1]
    if repeated:
        raise CsvFileError(f"the header names a column more than once: {', '.join(repeated)}", line=1)
    rows: list[CsvLine] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            if str(exc) == "unexpected end of data":
                raise CsvFileError("a quote opened on this line or after it is never closed", line=line) from None
            rows.append(CsvLine(line, {}, f"the line cannot be read as CSV ({exc})"))
            continue
        if not "".join(cells).strip():
            continue
        if len(rows) >= max_rows:
            raise TooManyRows(f"the file has more than {max_rows:,} rows; split it", line=line)
        if len(cells) > len(header):
            rows.append(CsvLine(line, {}, f"the line has {len(cells)} cells but the header has {len(header)} "
                                          "columns"))
            continue
        values = {name: "" for name in columns}
        values.update({name: cell.strip() for name, cell in zip(header, cells, strict=False)})
        rows.append(CsvLine(line, values))
