"""Template helpers: money and numbers per the active language, sortable table headers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from parceria.common.formatting import format_money, format_number

register = template.Library()


@register.simple_tag
def money(amount: Any, currency: str, places: int | None = None) -> str:
    """{% money line.amount line.currency %} → "R$ 1.234,56" in pt-BR, "R$ 1,234.56" in English."""
    if amount is None or amount == "":
        return ""
    return format_money(Decimal(amount), currency, language=get_language() or "en", places=places)


@register.simple_tag
def number(value: Any, places: int = 0) -> str:
    return "" if value is None else format_number(Decimal(value), places, language=get_language() or "en")


@register.filter
def call_page_link(table: Any, number: int) -> str:
    return str(table.page_link(number))


@register.inclusion_tag("web/export_links.html")
def export_links(table: Any) -> dict[str, str]:
    """{% export_links table %}: "Download: CSV · Excel", the whole table (filters and sort kept) in each format."""
    return {"csv": table.export_link("csv"), "xlsx": table.export_link("xlsx")}


@register.simple_tag
def sort_header(table: Any, key: str, label: str, numeric: bool = False) -> str:
    """A column header that sorts the table, with aria-sort for screen readers."""
    state = "ascending" if table.sort == key else "descending" if table.sort == f"-{key}" else "none"
    arrow = {"ascending": " ▲", "descending": " ▼", "none": ""}[state]
    cell = '<th scope="col" class="num" aria-sort="{}">' if numeric else '<th scope="col" aria-sort="{}">'
    return format_html(cell + '<a href="{}">{}{}</a></th>', state, table.sort_link(key), label, arrow)
