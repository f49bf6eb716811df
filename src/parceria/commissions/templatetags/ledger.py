"""Template helpers of the commission pages, for what repeats on every row of a long table."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext

from parceria.commissions.forms import KIND_LABELS
from parceria.commissions.models import LedgerKind, LedgerLine
from parceria.common.formatting import format_money

register = template.Library()

_BADGE_CLASSES: dict[str, str] = {
    LedgerKind.ACCRUAL: "badge good",
    LedgerKind.CLAWBACK: "badge bad",
    LedgerKind.ADJUSTMENT: "badge warn",
}


@register.simple_tag
def kind_badge(kind: str) -> SafeString:
    """{% kind_badge line.kind %} → the ledger line's kind as a coloured, translated badge."""
    label = KIND_LABELS[LedgerKind(kind)] if kind in LedgerKind.values else kind
    return format_html('<span class="{}">{}</span>', _BADGE_CLASSES.get(kind, "badge"), label)


@register.simple_tag
def ledger_rows(lines: Iterable[LedgerLine]) -> SafeString:
    """The rows of the commissions table. The portal's busiest page shows 25 of them per request; building
    them here, with the same escaping as the template language, costs a fraction of a template loop."""
    language = get_language() or "en"
    base = reverse("commissions_portal:list")
    line_word = gettext("Line")
    rows = []
    for line in lines:
        customer = ""
        if line.customer_id is not None and line.customer is not None:
            customer = conditional_escape(line.customer.name)
        if line.invoice_id:
            customer = format_html('{}<br><span class="muted small">{}</span>', customer, line.invoice_id)
        rows.append(
            format_html(
                '<tr><td><a href="{}{}/" aria-label="{} {}">{}</a></td><td>{}</td><td>{}</td><td>{}</td>'
                '<td class="explanation">{}</td><td class="num">{}</td></tr>',
                base, line.pk, line_word, line.pk, line.pk,
                date_format(localtime(line.occurred_at), "SHORT_DATE_FORMAT"),
                kind_badge(line.kind),
                customer,
                line.explanation,
                format_money(line.amount, line.currency, language=language),
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 — every row was built by format_html
