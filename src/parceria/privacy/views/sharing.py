"""The sharing log in the console (/console/privacy/sharing/): every share of personal data with a third party
(privacy/sharing.py), filtered by channel, recipient, partner and days, and downloaded as CSV or Excel with the
filters kept. Finance and admins only, as the other logs of what leaves (the Jobs page, bank files): the log names
partners, recipients and what they received."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parceria.accounts.tenancy import Ability
from parceria.privacy.forms import DayRangeForm
from parceria.privacy.models import SharingRecord
from parceria.privacy.sharing import CHANNELS, category_labels, channel_label, legal_basis_label, sharing_log
from parceria.web.access import console_view
from parceria.web.forms import choices_with_blank
from parceria.web.pages import page
from parceria.web.tables import EXPORT_FORMATS, build_table, export_response, wants_export

SORTS = {"at": "at", "channel": "channel", "recipient": "recipient", "subjects": "subjects"}


class SharingFilterForm(DayRangeForm):
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        required=False,
        choices=choices_with_blank(gettext_lazy("All"), list(CHANNELS.items())),
    )
    recipient = forms.CharField(label=gettext_lazy("Recipient"), required=False, max_length=200)
    partner = forms.IntegerField(label=gettext_lazy("Partner id"), required=False, min_value=1, max_value=2**63 - 1)
    field_order = ["channel", "recipient", "partner", "since", "until"]


def _export_header() -> list[str]:
    return [
        _("Id"),
        _("When"),
        _("Channel"),
        _("Recipient"),
        _("Legal basis"),
        _("Personal data"),
        _("People"),
        _("Partner id"),
        _("What was shared"),
        _("Object"),
        _("By"),
    ]


def _export_row(r: SharingRecord) -> list[object]:
    return [
        r.pk,
        r.at,
        channel_label(r.channel),
        r.recipient,
        legal_basis_label(r.legal_basis),
        ", ".join(category_labels(r.categories)),
        r.subjects,
        r.partner_id,
        r.description,
        f"{r.object_type} {r.object_id}".strip(),
        r.actor_label,
    ]


def _row(r: SharingRecord) -> dict[str, Any]:
    return {
        "record": r,
        "channel": channel_label(r.channel),
        "basis": legal_basis_label(r.legal_basis),
        "categories": category_labels(r.categories),
    }


def _refused(request: HttpRequest, form: SharingFilterForm) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "table": None, "rows": []}
    return page(request, "privacy/console/sharing.html", context, nav="sharing", status=422)


def _found(form: SharingFilterForm) -> QuerySet[SharingRecord]:
    data = form.cleaned_data
    return sharing_log(
        channel=data["channel"],
        recipient=data["recipient"].strip(),
        partner_id=data["partner"],
        since=data["since"],
        until=data["until"],
    )


def _export(request: HttpRequest, found: QuerySet[SharingRecord]) -> HttpResponse:
    table = build_table(request, found, sortable=SORTS, default_sort="-at", per_page=10**9)
    return export_response(request, "sharing-log", _export_header(), (_export_row(r) for r in table.page.object_list))


@console_view(read=Ability.FINANCE)
def sharing(request: HttpRequest) -> HttpResponse:
    """The log; a filter that does not validate (a date that is no date, an end before the start) answers 422 with
    the form's errors and no rows, and its export is refused the same way. `?export=csv|xlsx` downloads the
    filtered rows (as sharing_export does)."""
    form = SharingFilterForm(request.GET)
    if not form.is_valid():
        return _refused(request, form)
    if wants_export(request):
        return _export(request, _found(form))
    table = build_table(request, _found(form), sortable=SORTS, default_sort="-at")
    context = {"form": form, "table": table, "rows": [_row(r) for r in table.page.object_list]}
    return page(request, "privacy/console/sharing.html", context, nav="sharing")


@console_view(read=Ability.FINANCE)
def sharing_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as a file: `?export=csv` (the default) or `xlsx`, with the page's filters and sort."""
    form = SharingFilterForm(request.GET)
    if not form.is_valid():
        return _refused(request, form)
    if request.GET.get("export", "csv") not in EXPORT_FORMATS:
        return HttpResponse(_("The file format must be csv or xlsx."), status=400, content_type="text/plain")
    return _export(request, _found(form))
