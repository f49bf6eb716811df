"""Attribution safeguards in the staff console: the flags (open by default) with filters and a CSV/Excel export,
a flag's page with its evidence in plain words, and clearing a flag with a note behind a confirmation step.
Finance and admins clear flags (an open flag holds the partner's payouts)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.partners.models import Partner
from parceria.safeguards.forms import ClearForm, FlagFilterForm
from parceria.safeguards.models import FlagStatus, SafeguardFlag
from parceria.safeguards.selectors import flag_list
from parceria.safeguards.services import flag_clear
from parceria.safeguards.wording import flag_sentence
from parceria.web.access import actor, console_view
from parceria.web.forms import attempt
from parceria.web.pages import confirm_page, confirmed, page
from parceria.web.tables import build_table, export_response, wants_export

SORTS = {"raised": "raised_at", "partner": "partner__name", "kind": "kind", "status": "status"}


def _export_header() -> list[str]:
    return [_("Flag"), _("Partner"), _("Kind"), _("Status"), _("Why"), _("Raised"), _("Cleared"), _("Cleared by"),
            _("Note")]


def _export_row(f: SafeguardFlag) -> list[object]:
    return [f.pk, f.partner.name, f.get_kind_display(), f.get_status_display(), flag_sentence(f), f.raised_at,
            f.cleared_at, f.cleared_by_label.partition(":")[2] or f.cleared_by_label, f.clear_note]


@console_view()
def flags(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy() if "status" in request.GET else {**request.GET.dict(), "status": FlagStatus.OPEN}
    form = FlagFilterForm(data)
    chosen: dict[str, Any] = (form.cleaned_data if form.is_valid()
                              else {"status": FlagStatus.OPEN, "kind": "", "partner": None})
    rows = flag_list(status=chosen["status"], kind=chosen["kind"], partner_id=chosen["partner"])
    table = build_table(request, rows, sortable=SORTS, default_sort="-raised",
                        per_page=10**9 if wants_export(request) else 25)
    if wants_export(request):
        return export_response(request, "safeguard-flags", _export_header(),
                               (_export_row(f) for f in table.page.object_list))
    context = {"form": form, "table": table, "rows": [(f, flag_sentence(f)) for f in table.page.object_list],
               "partner": Partner.objects.filter(pk=chosen["partner"]).first() if chosen["partner"] else None}
    return page(request, "safeguards/console/list.html", context, nav="safeguards")


def _flag(flag_id: int) -> SafeguardFlag:
    return get_object_or_404(SafeguardFlag.objects.select_related("partner"), pk=flag_id)


def _detail(request: HttpRequest, found: SafeguardFlag, *, form: ClearForm | None = None,
            status: int = 200) -> HttpResponse:
    context = {"flag": found, "sentence": flag_sentence(found), "form": form or ClearForm(),
               "cleared_by": found.cleared_by_label.partition(":")[2] or found.cleared_by_label}
    return page(request, "safeguards/console/detail.html", context, nav="safeguards", status=status)


@console_view()
def flag(request: HttpRequest, flag_id: int) -> HttpResponse:
    return _detail(request, _flag(flag_id))


@console_view(read=None, write=Ability.FINANCE)
def clear(request: HttpRequest, flag_id: int) -> HttpResponse:
    found = _flag(flag_id)
    form = ClearForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        if not confirmed(request):
            return confirm_page(
                request, title=_("Clear this flag on %(partner)s?") % {"partner": found.partner.name},
                lines=[flag_sentence(found), _("Note: %(note)s") % {"note": note},
                       _("Once the partner has no open flag, the next close pays its balance again.")],
                button=_("Clear the flag"), cancel=reverse("safeguards_console:detail", args=[found.pk]))
        if attempt(form, lambda: flag_clear(flag=found, note=note, actor=actor(request))):
            messages.success(request, _("The flag is cleared."))
            return redirect("safeguards_console:detail", flag_id=found.pk)
    return _detail(request, found, form=form, status=422)
