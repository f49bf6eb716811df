"""The one XLSX writer: a workbook of one sheet, a bold and frozen header row, numbers and dates as typed cells.

Cells keep their type, so a spreadsheet can sum and sort them at once: an `int` is a whole number; a `Decimal`
a number shown with two decimals (and up to four when it has them, so a ledger amount such as 305.3225 is shown
and summed whole, never rounded); a `date` or `datetime` a date cell in the reader's date format. Text cells get
the CSV writer's formula guard (`csvfile.safe_cell`), are stored as text (never as a formula), and lose the
control characters the XLSX format cannot hold.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from parceria.common.csvfile import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DECIMAL_FORMAT = "#,##0.00##"
MAX_WIDTH = 60
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _text(value: str) -> str:
    return str(safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value)))


def _shown_width(value: object, date_format: str) -> int:
    if isinstance(value, datetime):
        return len(date_format) + 6
    if isinstance(value, date):
        return len(date_format)
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}") + 1
    return max((len(part) for part in str(value).splitlines()), default=0)


def xlsx_bytes(
    rows: Iterable[Sequence[object]],
    *,
    header: Sequence[str],
    title: str = "Sheet",
    date_format: str = "yyyy-mm-dd",
) -> bytes:
    """The workbook of `header` and `rows`. Cells are text, `int`, `Decimal`, `date`, `datetime` (naive, in the
    reader's time) or None (empty); anything else is written as its text. `date_format` is the spreadsheet's
    format code for dates ("dd/mm/yyyy"); date-times add " hh:mm"."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title.translate(_SHEET_FORBIDDEN)[:31] or "Sheet"
    widths = [len(str(name)) for name in header]
    sheet.append([_text(str(name)) for name in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    formats = {Decimal: DECIMAL_FORMAT, date: date_format, datetime: f"{date_format} hh:mm"}
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            if isinstance(value, bool) or not isinstance(value, int | Decimal | date):
                value = _text(str(value))
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, whatever it starts with: never a formula
            kind = datetime if isinstance(value, datetime) else type(value)
            if kind in formats:
                cell.number_format = formats[kind]
            if column > len(widths):
                widths.append(0)
            widths[column - 1] = max(widths[column - 1], _shown_width(value, date_format))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
