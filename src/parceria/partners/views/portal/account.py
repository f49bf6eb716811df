"""The partner's profile (with its PIX key, which needs the user's password), the page where its users choose and edit
how it is paid (any payout method, with the password too) and, for a partner admin, its users."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from parceria.accounts.models import Role
from parceria.accounts.tenancy import Ability
from parceria.common.errors import InvalidInput, NotFound
from parceria.common.payout_methods import METHODS, PayoutMethodError, method_pays
from parceria.partners.forms import PIX_LABELS, InviteForm, MethodChoiceForm, PayoutDetailsForm, PayoutMethodForm
from parceria.partners.invitations import invitation_withdraw, invitations_open, members, user_invite, user_remove
from parceria.partners.models import Partner
from parceria.partners.payout_details import (
    partner_payout_details_change,
    payout_details_held_until,
    payout_method_change,
)
from parceria.partners.selectors import PAYOUT_HISTORY_ROWS, payout_method_history, payout_method_shown
from parceria.web.access import actor, partner_of, partner_required, portal_user, require
from parceria.web.forms import LanguageForm, add_domain_error


def _profile(request: HttpRequest, form: PayoutDetailsForm | None = None, status: int = 200) -> HttpResponse:
    partner = partner_of(request)
    context = {
        "nav": "profile",
        "partner": partner,
        "form": form or PayoutDetailsForm(user=portal_user(request)),
        "held_until": payout_details_held_until(partner),
        "current": payout_method_shown(partner),
        # The PIX key's own short form, for a partner paid by PIX (or by nothing yet) in reais; every method is on
        # the payout method page.
        "pix_form_shown": form is not None or (partner.payout_method in ("", "pix")
                                               and method_pays("pix", partner.currency)),
        "pix_labels": PIX_LABELS,
        "hold_hours": settings.PARCERIA["PAYOUT_DETAILS_HOLD_HOURS"],
        "language_form": LanguageForm(initial={"language": portal_user(request).language}),
    }
    return render(request, "partners/portal/profile.html", context, status=status)


@partner_required
def profile(request: HttpRequest) -> HttpResponse:
    return _profile(request)


@partner_required
@require_POST
def payout_details(request: HttpRequest) -> HttpResponse:
    form = PayoutDetailsForm(request.POST, user=portal_user(request), request=request)
    if not form.is_valid():
        return _profile(request, form, status=429 if form.has_error("password", "locked") else 422)
    try:
        partner_payout_details_change(
            partner=partner_of(request),
            key_type=form.cleaned_data["key_type"],
            key=form.cleaned_data["key"],
            actor=actor(request),
        )
    except InvalidInput:
        form.add_error("key", _("This is not a valid PIX key of the chosen type."))
        return _profile(request, form, status=422)
    hours = settings.PARCERIA["PAYOUT_DETAILS_HOLD_HOURS"]
    messages.success(
        request,
        _("PIX key changed. Your admins were notified; payouts to it start after %(hours)s hours.") % {"hours": hours},
    )
    return redirect("partners_portal:profile")


def payable_methods(partner: Partner) -> list[str]:
    """The methods that can pay the partner's payout currency, those of its country first."""
    payable = [code for code in METHODS if method_pays(code, partner.currency)]
    return sorted(payable, key=lambda code: METHODS[code].country != partner.country)


def default_method(partner: Partner, methods: list[str], asked: str = "") -> str:
    """The method whose form the page shows: the one asked for, else the partner's current one, else its country's."""
    for candidate in (asked, partner.payout_method):
        if candidate in methods:
            return candidate
    return methods[0] if methods else "intl"


def _payout_method_page(
    request: HttpRequest, partner: Partner, form: PayoutMethodForm, status: int = 200
) -> HttpResponse:
    methods = payable_methods(partner)
    method = form["method"].value() or ""
    chooser = MethodChoiceForm(initial={"method": method if method in methods else default_method(partner, methods)},
                               methods=methods)
    history = payout_method_history(partner, limit=PAYOUT_HISTORY_ROWS + 1)
    context = {
        "nav": "payout_method",
        "partner": partner,
        "current": payout_method_shown(partner),
        "chooser": chooser,
        "form": form,
        "method_label": METHODS[method].label if method in METHODS else "",
        "history": history[:PAYOUT_HISTORY_ROWS],
        "history_cut": len(history) > PAYOUT_HISTORY_ROWS,
        "history_rows": PAYOUT_HISTORY_ROWS,
        "pix_labels": PIX_LABELS,
        "hold_hours": settings.PARCERIA["PAYOUT_DETAILS_HOLD_HOURS"],
    }
    return render(request, "partners/portal/payout_method.html", context, status=status)


@partner_required
@require_http_methods(["GET", "HEAD", "POST"])
def payout_method(request: HttpRequest) -> HttpResponse:
    """GET: the chosen method's form (?method=…) and the history; POST: the change, through payout_method_change
    (its errors beside their field with status 422, nothing stored), then back to the profile."""
    partner = partner_of(request)
    user = portal_user(request)
    if request.method != "POST":
        method = default_method(partner, payable_methods(partner), request.GET.get("method", ""))
        return _payout_method_page(request, partner, PayoutMethodForm(method=method, user=user))
    form = PayoutMethodForm(request.POST, method=request.POST.get("method", ""), user=user, request=request)
    if not form.is_valid():
        return _payout_method_page(request, partner, form, status=429 if form.has_error("password", "locked") else 422)
    try:
        payout_method_change(partner=partner, method=form.cleaned_data["method"], details=form.details(),
                             reason=form.cleaned_data["reason"], actor=actor(request))
    except PayoutMethodError as error:
        add_domain_error(form, error)
        return _payout_method_page(request, partner, form, status=422)
    hours = settings.PARCERIA["PAYOUT_DETAILS_HOLD_HOURS"]
    messages.success(
        request,
        _("Payout method changed. Your admins were notified; payouts to the new account start after %(hours)s hours.")
        % {"hours": hours},
    )
    return redirect("partners_portal:profile")


def _admin_only(request: HttpRequest) -> None:
    require(request, Ability.MANAGE_USERS)  # a partner admin


def _users(request: HttpRequest, form: InviteForm | None = None, status: int = 200) -> HttpResponse:
    partner = partner_of(request)
    context = {"nav": "users", "people": members(partner), "invitations": invitations_open(partner),
               "form": form or InviteForm(), "roles": _role_labels()}
    return render(request, "partners/portal/users.html", context, status=status)


def _role_labels() -> dict[str, str]:
    return {Role.PARTNER_ADMIN: _("Admin"), Role.PARTNER_MEMBER: _("User")}


@partner_required
def users(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    return _users(request)


@partner_required
@require_POST
def user_invite_view(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _users(request, form, status=422)
    try:
        user_invite(
            inviter=portal_user(request),
            email=form.cleaned_data["email"],
            name=form.cleaned_data["name"],
            language=form.cleaned_data["language"],
            base_url=request.build_absolute_uri("/"),
            actor=actor(request),
        )
    except InvalidInput as error:
        already = error.code == "already_member"
        form.add_error("email", _("This address is already one of your users.") if already else error.message)
        return _users(request, form, status=422)
    # The same answer for every address, whether or not it is in use outside the partner (partners/invitations.py).
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("partners_portal:users")


@partner_required
@require_POST
def invitation_withdraw_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    _admin_only(request)
    try:
        invitation = invitation_withdraw(
            remover=portal_user(request), invitation_id=invitation_id, actor=actor(request)
        )
    except NotFound:
        raise Http404("no such invitation") from None
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("partners_portal:users")


@partner_required
@require_POST
def user_remove_view(request: HttpRequest, user_id: int) -> HttpResponse:
    _admin_only(request)
    try:
        removed = user_remove(remover=portal_user(request), user_id=user_id, actor=actor(request))
    except NotFound:
        raise Http404("no such user") from None
    except InvalidInput:
        messages.error(request, _("You cannot remove yourself."))
        return redirect("partners_portal:users")
    messages.success(request, _("%(name)s can no longer sign in.") % {"name": removed.email or removed.username})
    return redirect("partners_portal:users")
