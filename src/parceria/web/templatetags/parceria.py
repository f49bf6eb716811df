"""Template helpers: money, numbers, rates, tax ids, phone numbers and countries per the active language (the
rules are in common/formatting.py), sortable table headers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from parceria.common.audit import action_label, actor_name
from parceria.common.formatting import (
    country_name,
    format_money,
    format_number,
    format_percent,
    format_phone,
    format_tax_id,
    in_sentence,
)

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


@register.simple_tag
def percent(rate: Any, places: int | None = None) -> str:
    """{% percent line.rate %} → "25 %" in pt-BR and es, "25%" in English; blank for no rate."""
    if rate is None or rate == "":
        return ""
    return format_percent(Decimal(rate), language=get_language() or "en", places=places)


@register.filter
def audit_action(action: Any) -> str:
    """{{ record.action|audit_action }} → "Partner created" (common.audit.action_label)."""
    return action_label(str(action or ""))


@register.filter
def actor(label: Any) -> str:
    """{{ record.actor_label|actor }} → "ana" for "user:ana" (common.audit.actor_name)."""
    return actor_name(str(label or ""))


@register.filter
def tax_id(value: Any, country: str = "BR") -> str:
    """{{ partner.tax_id|tax_id:partner.country }} → 12.345.678/0001-95."""
    return format_tax_id(str(value or ""), country)


@register.filter
def phone(value: Any) -> str:
    """{{ number|phone }} → +55 (11) 91234-5678."""
    return format_phone(str(value or ""))


@register.filter
def country(code: Any) -> str:
    """{{ partner.country|country }} → "Brasil" in pt-BR and es, "Brazil" in English."""
    return country_name(str(code or ""))


@register.filter
def mid_sentence(text: Any) -> str:
    """{{ month|date:"YEAR_MONTH_FORMAT"|mid_sentence }} → "novembro de 2026" inside a Portuguese sentence."""
    return in_sentence(str(text), get_language() or "en")


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


@register.simple_tag(takes_context=True)
def navlink(context: template.Context, to: str, label: str, key: str = "", sub: bool = False) -> str:
    """One entry of a shell's sidebar: {% navlink "app_portal:name" label key="…" %}. `to` is the URL name,
    `label` its text, `key` the page's `nav` (a section that stays marked on its other pages), `sub` an indented
    entry under the one before it. The current page's entry is aria-current="page", its section's "true"."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current: str
    if match is not None and match.view_name == to:
        current = mark_safe(' aria-current="page"')  # fixed text
    elif key and context.get("nav") == key:
        current = mark_safe(' aria-current="true"')  # fixed text
    else:
        current = ""
    return format_html('\n<li{}><a href="{}"{}>{}</a></li>\n', mark_safe(' class="sub"') if sub else "",
                       reverse(to), current, label)


# --- {% samefor %}: a fragment rendered once per process for each set of values it depends on -----------------------

# Rendered fragments by (name, language, script prefix, values). The values a template names are few (a sidebar:
# the page, its section and a role's abilities), so the table stays small; it is emptied if it ever grows past
# _FRAGMENTS_KEPT rather than kept in order.
_FRAGMENTS: dict[tuple[Any, ...], str] = {}
_FRAGMENTS_KEPT = 4096


class SameForNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str, values: list[template.base.FilterExpression]) -> None:
        self.nodelist, self.name, self.values = nodelist, name, values

    def render(self, context: template.Context) -> str:
        key = (self.name, get_language(), get_script_prefix(), *(v.resolve(context) for v in self.values))
        found = _FRAGMENTS.get(key)
        if found is None:
            found = self.nodelist.render(context)
            if len(_FRAGMENTS) >= _FRAGMENTS_KEPT:
                _FRAGMENTS.clear()
            _FRAGMENTS[key] = found
        return found


@register.tag
def samefor(parser: template.base.Parser, token: template.base.Token) -> SameForNode:
    """{% samefor "name" value … %}…{% endsamefor %}: the enclosed fragment is rendered the first time and its
    HTML reused by every later request of this process with the same values, the same language and the same URL
    prefix. For a fragment that depends on nothing else, such as a sidebar: its entries, their URLs (reverse) and
    translations, and which one is current. Rendering a shell's sidebar cost about a millisecond per page.
    Values must be hashable (strings, numbers, booleans, None)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% samefor %} takes a name and the values the fragment depends on")
    nodelist = parser.parse(("endsamefor",))
    parser.delete_first_token()
    return SameForNode(nodelist, bits[1].strip("\"'"), [parser.compile_filter(bit) for bit in bits[2:]])
