"""Tables that page, sort and export to CSV (SPEC §12.5), shared by the portal and the console.

A view builds a `Table` from a queryset, the columns a person may sort by, and the request; the
template shows `table.page` rows and includes "web/pager.html". `?export=csv` answers the whole
(filtered, sorted) table as CSV through `csv_response`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict

from parceria.common.csvfile import csv_text
from parceria.common.downloads import CSV, attachment

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

    def export_link(self) -> str:
        params = self.query.copy()
        params.pop("page", None)
        params["export"] = "csv"
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


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("export") == "csv"


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A CSV download, written by the one CSV writer (its text cells cannot run as spreadsheet formulas)."""
    return attachment(csv_text(rows, header=header), content_type=CSV, filename=filename)
