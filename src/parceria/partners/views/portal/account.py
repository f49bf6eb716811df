"""The partner's profile (with its PIX key, which needs the user's password) and, for a partner admin, its users."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parceria.accounts.models import Role
from parceria.accounts.tenancy import Ability
from parceria.common.errors import InvalidInput, NotFound
from parceria.partners.forms import PIX_LABELS, InviteForm, PayoutDetailsForm
from parceria.partners.invitations import invitation_withdraw, invitations_open, members, user_invite, user_remove
from parceria.partners.payout_details import partner_payout_details_change, payout_details_held_until
from parceria.web.access import actor, partner_of, partner_required, portal_user, require
from parceria.web.forms import LanguageForm


def _profile(request: HttpRequest, form: PayoutDetailsForm | None = None, status: int = 200) -> HttpResponse:
    partner = partner_of(request)
    context = {
        "nav": "profile",
        "partner": partner,
        "form": form or PayoutDetailsForm(user=portal_user(request)),
        "held_until": payout_details_held_until(partner),
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
