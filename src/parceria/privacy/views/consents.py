"""Consents: the ledger in the console (/console/privacy/consents/: every grant and withdrawal, filtered by purpose,
user and partner, CSV/Excel export) and each person's consents in the portal (/portal/privacy/: per purpose the
state, when and through which text, the text itself, grant and withdraw, and the person's own history).

In the portal a person sees only their own records and their partner's state; a partner's purposes (directory
listing, account mapping) are granted or withdrawn by the partner's admins (the ability that edits the listing),
a person's own (marketing e-mails) by the person."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parceria.accounts.tenancy import Ability
from parceria.common.errors import ParceriaError
from parceria.privacy import consent
from parceria.privacy.consent_texts import ConsentText, current_text, text_version
from parceria.privacy.models import ConsentPurpose, ConsentRecord
from parceria.web.access import actor, console_view, partner_required, portal_user, principal_for
from parceria.web.forms import choices_with_blank
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

# --- the console: the ledger ----------------------------------------------------------------------------------


class ConsentFilterForm(forms.Form):
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), required=False,
                                choices=choices_with_blank(gettext_lazy("All"), list(ConsentPurpose.choices)))
    user = forms.CharField(label=gettext_lazy("User"), required=False, max_length=150,
                           help_text=gettext_lazy("User name or e-mail."))
    partner = forms.CharField(label=gettext_lazy("Partner"), required=False, max_length=200,
                              help_text=gettext_lazy("Name or number."))


def consent_records(*, purpose: str = "", user: str = "", partner: str = "") -> QuerySet[ConsentRecord]:
    """The ledger for the console, filtered: `user` matches a user name or e-mail, `partner` a partner's number or
    a part of its name."""
    rows = ConsentRecord.objects.select_related("user", "user__partner")
    if purpose:
        rows = rows.filter(purpose=purpose)
    if user:
        rows = rows.filter(Q(user__username__icontains=user) | Q(user__email__icontains=user))
    if partner:
        rows = rows.filter(partner_id=int(partner)) if partner.isdigit() else rows.filter(
            Q(user__partner__name__icontains=partner), partner_id__isnull=False)
    return rows


def _export_header() -> list[str]:
    return [_("Id"), _("When"), _("User"), _("E-mail"), _("Partner"), _("Purpose"), _("State"), _("Text version"),
            _("Source"), _("Recorded by")]


def _export_row(r: ConsentRecord) -> list[object]:
    own = r.user.partner if r.partner_id and r.user.partner_id == r.partner_id else None
    partner = own.name if own is not None else r.partner_id
    return [r.pk, r.at, r.user.username, r.user.email, partner, r.get_purpose_display(),
            _("Granted") if r.granted else _("Withdrawn"), r.text_version, r.source, r.recorded_by_label]


@console_view()
def console_consents(request: HttpRequest) -> HttpResponse:
    form = ConsentFilterForm(request.GET)
    if not form.is_valid():
        return page(request, "privacy/console/consents.html", {"form": form, "table": None}, nav="privacy",
                    status=400)
    exporting = wants_export(request)
    table = build_table(request, consent_records(**form.cleaned_data), sortable={"at": "at", "purpose": "purpose"},
                        default_sort="-at", per_page=10**9 if exporting else 50)
    if exporting:
        return export_response(request, "consents", _export_header(),
                               (_export_row(r) for r in table.page.object_list))
    return page(request, "privacy/console/consents.html", {"form": form, "table": table}, nav="privacy")


# --- the portal: a person's consents ----------------------------------------------------------------------------


@dataclass
class PurposeState:
    purpose: str
    label: str
    partners: bool  # a partner's purpose (consented on the partner's behalf)
    current: ConsentRecord | None
    text: ConsentText
    shown: ConsentText | None  # the text the consent in force was given through
    may_change: bool

    @property
    def granted(self) -> bool:
        return bool(self.current and self.current.granted)


def _states(request: HttpRequest) -> list[PurposeState]:
    user = portal_user(request)
    admin = principal_for(request).can(Ability.MANAGE_USERS)
    states = []
    for purpose, label in ConsentPurpose.choices:
        partners = consent.is_partner_purpose(purpose)
        current = consent.latest(purpose=purpose, user=user, partner_id=user.partner_id if partners else None)
        states.append(PurposeState(
            purpose=purpose, label=str(label), partners=partners, current=current, text=current_text(purpose),
            shown=text_version(purpose, current.text_version) if current else None,
            may_change=admin or not partners))
    return states


def _render(request: HttpRequest, *, status: int = 200, confirm: PurposeState | None = None) -> HttpResponse:
    user = portal_user(request)
    history = ConsentRecord.objects.filter(user=user).order_by("-id")[:100]
    return render(request, "privacy/portal/consents.html",
                  {"nav": "privacy", "states": _states(request), "history": history, "confirm": confirm,
                   "partner": user.partner}, status=status)


@partner_required
def portal_consents(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render(request)
    if request.method != "POST":
        return HttpResponseBadRequest(_("Use GET or POST."))
    purpose, action = request.POST.get("purpose", ""), request.POST.get("action", "")
    state = next((s for s in _states(request) if s.purpose == purpose), None)
    if state is None or action not in ("grant", "withdraw"):
        messages.error(request, _("Choose a consent to grant or withdraw."))
        return _render(request, status=400)
    if not state.may_change:
        messages.error(request, _("Only an admin of your partner can change this consent."))
        return _render(request, status=403)
    user = portal_user(request)
    partner_id = user.partner_id if state.partners else None
    if action == "withdraw" and request.POST.get("confirmed") != "1":
        return _render(request, confirm=state)
    try:
        if action == "grant":
            consent.consent_grant(user=user, purpose=purpose, partner_id=partner_id, source="portal",
                                  version=request.POST.get("version", ""), actor=actor(request))
            messages.success(request, _("Thank you: your consent is recorded."))
        else:
            consent.consent_withdraw(user=user, purpose=purpose, partner_id=partner_id, source="portal",
                                     actor=actor(request))
            messages.success(request, _("Your consent is withdrawn."))
    except ParceriaError as exc:
        messages.error(request, exc.message)
        return _render(request, status=400)
    return redirect("privacy_portal:consents")
