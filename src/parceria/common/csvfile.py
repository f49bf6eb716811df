"""The one CSV writer: RFC 4180 text (CRLF line ends) whose text cells cannot run as spreadsheet formulas.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return, which some strip first) as
a formula, so such a text cell gets a leading apostrophe, which spreadsheets show as text (OWASP "CSV
injection"). A cell that is a plain decimal number ("-12.50", "+3") is a number, not a formula, and is kept as
it is, so signed amounts stay amounts. Cells that are not text (numbers, dates) are written as they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence

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
