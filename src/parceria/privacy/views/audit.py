"""The audit trail in the console (/console/privacy/audit/, namespace privacy_console): the audit records of every
app, newest first, filtered by actor, object, action and a range of days, each with its before/after values as a diff;
the filtered rows as CSV or Excel. Admins and finance only, like the Jobs page: the trail shows who was paid where and
every change to it. A filter that is not valid (a date that is not one, an action the trail does not hold) is shown
with its message and nothing is listed or exported until it is corrected."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parceria.accounts.tenancy import Ability
from parceria.common.models import AuditRecord
from parceria.privacy.audit_trail import (
    AuditFilters,
    audit_records,
    audit_row,
    audited_actions,
    audited_object_types,
    export_header,
    export_row,
)
from parceria.privacy.forms import DayRangeForm
from parceria.web.access import console_view
from parceria.web.forms import choices_with_blank
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

PER_PAGE = 50


class AuditFilterForm(DayRangeForm):
    actor = forms.CharField(label=gettext_lazy("Who"), required=False, max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": gettext_lazy("user or API key")}))
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    object_type = forms.ChoiceField(label=gettext_lazy("Object"), required=False)
    object_id = forms.CharField(label=gettext_lazy("Object id"), required=False, max_length=80)
    field_order = ["actor", "action", "object_type", "object_id", "since", "until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action, object_type = self.fields["action"], self.fields["object_type"]
        assert isinstance(action, forms.ChoiceField) and isinstance(object_type, forms.ChoiceField)
        action.choices = choices_with_blank(_("Any action"), audited_actions())
        object_type.choices = choices_with_blank(_("Any object"), audited_object_types())

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(actor=data["actor"], object_type=data["object_type"], object_id=data["object_id"],
                            action=data["action"], since=data["since"], until=data["until"])


SORTS = {"at": "at"}


@console_view(read=Ability.FINANCE)
def audit(request: HttpRequest) -> HttpResponse:
    return _audit(request)


@console_view(read=Ability.FINANCE)
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered trail as a file: the page's own export (`?export=csv`, the default, or `xlsx`) at an address of
    its own."""
    return _audit(request, export=True)


def _audit(request: HttpRequest, *, export: bool = False) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    valid = form.is_valid()
    records = audit_records(form.filters()) if valid else AuditRecord.objects.none()
    if (export or wants_export(request)) and valid:
        return export_response(request, "audit-trail", export_header(),
                               (export_row(r) for r in records.iterator(chunk_size=2000)))
    table = build_table(request, records, sortable=SORTS, default_sort="-at", per_page=PER_PAGE)
    filtered = any(form.cleaned_data.get(name) for name in form.fields) if valid else True
    context = {"form": form, "table": table, "rows": [audit_row(r) for r in table.page.object_list],
               "filtered": filtered, "valid": valid}
    return page(request, "privacy/console/audit.html", context, nav="audit", status=200 if valid else 422)
