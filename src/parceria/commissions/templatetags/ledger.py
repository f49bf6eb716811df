"""Template helpers of the commission pages, for what repeats on every row of a long table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext

from parceria.commissions.explain import explain
from parceria.commissions.forms import KIND_LABELS
from parceria.commissions.line_status import OPEN, LineState, LineStatus
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


_STATUS_CLASSES: dict[str, str] = {
    LineState.OPEN: "badge",
    LineState.CARRIED: "badge warn",
    LineState.SETTLED: "badge",
    LineState.IN_PAYOUT: "badge info",
    LineState.PAID: "badge good",
    LineState.FAILED: "badge bad",
}


def status_text(status: LineStatus) -> str:
    """The status in words: "Open", "In payout #12", "Paid on 05/04/2026", "Payout #12 failed", "Carried"."""
    if status.state == LineState.IN_PAYOUT:
        return gettext("In payout #%(n)s") % {"n": status.payout_id}
    if status.state == LineState.PAID and status.paid_on is not None:
        return gettext("Paid on %(day)s") % {"day": date_format(status.paid_on, "SHORT_DATE_FORMAT")}
    if status.state == LineState.FAILED:
        return gettext("Payout #%(n)s failed") % {"n": status.payout_id}
    return status.label


@register.simple_tag
def line_status(status: LineStatus | None, payouts_url: str = "") -> SafeString:
    """{% line_status status %} → the line's status as a badge, linked to its payout when it has one; a carried
    line says why in a note under it. `payouts_url`: the payouts page's URL when the caller has it already."""
    status = status or OPEN
    badge = format_html('<span class="{}" data-state="{}">{}</span>', _STATUS_CLASSES.get(status.state, "badge"),
                        status.state, status_text(status))
    if status.payout_id:
        badge = format_html('<a class="status-link" href="{}#payout-{}">{}</a>',
                            payouts_url or reverse("payouts_portal:list"), status.payout_id, badge)
    if status.state == LineState.IN_PAYOUT and status.due_date is not None:
        due = gettext("to be paid by %(day)s") % {"day": date_format(status.due_date, "SHORT_DATE_FORMAT")}
        badge = format_html('{}<br><span class="muted small">{}</span>', badge, due)
    if status.state == LineState.CARRIED and status.reason_label:
        badge = format_html('{}<br><span class="muted small">{}</span>', badge, status.reason_label)
    return badge


@register.simple_tag
def line_explanation(line: LedgerLine, status: LineStatus | None = None) -> str:
    """{% line_explanation line status %} → the line explained in the reader's language (commissions/explain.py)."""
    return explain(line, status)


@register.simple_tag
def ledger_rows(lines: Iterable[LedgerLine], statuses: Mapping[int, LineStatus] | None = None) -> SafeString:
    """The rows of the commissions table. The portal's busiest page shows 25 of them per request; building
    them here, with the same escaping as the template language, costs a fraction of a template loop."""
    language = get_language() or "en"
    base, payouts_url = reverse("commissions_portal:list"), reverse("payouts_portal:list")
    line_word = gettext("Line")
    rows = []
    for line in lines:
        status = (statuses or {}).get(line.pk, OPEN)
        customer = ""
        if line.customer_id is not None and line.customer is not None:
            customer = conditional_escape(line.customer.name)
        if line.invoice_id:
            customer = format_html('{}<br><span class="muted small">{}</span>', customer, line.invoice_id)
        rows.append(
            format_html(
                '<tr><td><a href="{}{}/" aria-label="{} {}">{}</a></td><td>{}</td><td>{}</td><td>{}</td>'
                '<td class="explanation">{}</td><td class="status">{}</td><td class="num">{}</td></tr>',
                base, line.pk, line_word, line.pk, line.pk,
                date_format(localtime(line.occurred_at), "SHORT_DATE_FORMAT"),
                kind_badge(line.kind),
                customer,
                explain(line, status),
                line_status(status, payouts_url),
                format_money(line.amount, line.currency, language=language),
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 — every row was built by format_html
