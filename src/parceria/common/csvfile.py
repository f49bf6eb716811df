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
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def safe_cell(value: object) -> object:
    """`value`, or the text with a leading apostrophe when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(rows: Iterable[Sequence[object]], *, header: Sequence[str] = ()) -> str:
    """The CSV text of `header` (when given) and `rows`, every text cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
