"""Tables that page, sort and export (SPEC §12.5), shared by the portal and the console.

A view builds a `Table` from a queryset, the columns a person may sort by, and the request; the
template shows `table.page` rows and includes "web/pager.html" (whose export links are `{% export_links %}`).
`?export=csv` or `?export=xlsx` answers the whole (filtered, sorted) table as a file through `export_response`,
in the reader's language: translated headers, and for pt-br and es a CSV separated by `;` with decimal commas
and day-first dates (Excel and LibreOffice in those languages open it as columns of numbers); for English `,`
and `.`. Both formats are written from the same header and rows; the CSV is UTF-8 with a BOM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parceria.common.csvfile import csv_text
from parceria.common.downloads import CSV, attachment
from parceria.common.formatting import COMMA_DECIMALS
from parceria.common.xlsxfile import XLSX, xlsx_bytes

PER_PAGE = 25


@dataclass
class Table:
    page: Page
    sort: str
    sortable: dict[str, str]
    query: QueryDict

    def sort_link(self, key: str) -> str:
        """The query string that sorts by `key` (ascending, or descending when already ascending)."""
        params = self.query.copy()
        params["sort"] = f"-{key}" if self.sort == key else key
        params.pop("page", None)
        return "?" + params.urlencode()

    def page_link(self, number: int) -> str:
        params = self.query.copy()
        params["page"] = str(number)
        return "?" + params.urlencode()

    def export_link(self, fmt: str = "csv") -> str:
        """The query string that downloads the whole table (filters and sort kept) as `fmt` (csv or xlsx)."""
        params = self.query.copy()
        params.pop("page", None)
        params["export"] = fmt
        return "?" + params.urlencode()


def build_table(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    sortable: dict[str, str],
    default_sort: str,
    per_page: int = PER_PAGE,
    count: int | None = None,
) -> Table:
    """`sortable` maps the names used in links to queryset fields, e.g. {"date": "occurred_at"}. `count`, when
    the caller knows the number of rows exactly (e.g. from a maintained projection), saves the COUNT query."""
    sort = request.GET.get("sort", default_sort)
    key = sort.removeprefix("-")
    if key not in sortable:
        sort, key = default_sort, default_sort.removeprefix("-")
    field = sortable[key]
    ordered = queryset.order_by(f"-{field}" if sort.startswith("-") else field, "-pk")
    paginator = Paginator(ordered, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    page = paginator.get_page(request.GET.get("page"))
    return Table(page=page, sort=sort, sortable=sortable, query=request.GET)


EXPORT_FORMATS = ("csv", "xlsx")


def wants_export(request: HttpRequest) -> bool:
    """Whether the request asks for the table as a file (`?export=csv` or `?export=xlsx`)."""
    return request.GET.get("export") in EXPORT_FORMATS


def comma_decimals(language: str | None = None) -> bool:
    """Whether the reader's language writes decimals with a comma (and so separates CSV fields with `;`)."""
    return (language or get_language() or "en").lower() in COMMA_DECIMALS


def _plain(value: Any) -> Any:
    """A cell as the writers take it: translated labels as text, yes/no in the reader's language, date-times in
    local time without a zone, None empty; numbers, dates and text as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def _decimal_text(value: Decimal, comma: bool) -> str:
    """The whole value, with at least two decimals and at most its own (25.0000 → 25,00; 305.3225 → 305,3225),
    no thousands separator, so a spreadsheet reads it as a number and nothing is rounded."""
    places = max(2, -int(value.normalize().as_tuple().exponent))
    text = f"{value:.{places}f}"
    return text.replace(".", ",") if comma else text


def _csv_render(comma: bool) -> Any:
    day = "%d/%m/%Y" if comma else "%Y-%m-%d"

    def render(value: object) -> object:
        if isinstance(value, Decimal):
            return _decimal_text(value, comma)
        if isinstance(value, datetime):
            return value.strftime(f"{day} %H:%M")
        if isinstance(value, date):
            return value.strftime(day)
        return value

    return render


def export_response(request: HttpRequest, name: str, header: Sequence[Any],
                    rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """The table as the file the request asks for (`?export=csv`, the default, or `xlsx`), named `name`.csv or
    `name`.xlsx. `header` holds the columns' translated names (gettext); a row's cells are text, numbers (`int`,
    `Decimal`), dates, date-times, booleans or None. Both formats go through their one writer, whose text cells
    cannot run as spreadsheet formulas."""
    comma = comma_decimals()
    titles = [str(title) for title in header]
    plain = ([_plain(cell) for cell in row] for row in rows)
    if request.GET.get("export") == "xlsx":
        content = xlsx_bytes(plain, header=titles, title=name, date_format="dd/mm/yyyy" if comma else "yyyy-mm-dd")
        return attachment(content, content_type=XLSX, filename=f"{name}.xlsx")
    text = csv_text(plain, header=titles, delimiter=";" if comma else ",", render=_csv_render(comma))
    return attachment("\ufeff" + text, content_type=CSV, filename=f"{name}.csv")
