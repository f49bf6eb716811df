"""Sign-in: password (throttled), then for staff a TOTP second factor, set up on first sign-in."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import auth
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from parceria.accounts.models import PARTNER_ROLES
from parceria.common.audit import Actor, audit_record_create
from parceria.web.access import second_factor_passed
from parceria.web.forms import SignInForm


def _next_or(request: HttpRequest, default: str) -> str:
    """The ?next= page when it is on this site (never an outside address), else `default`."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    """The password is checked by the backend under the sign-in throttle (accounts/throttle.py); a locked
    user name or address gets the form's error and 429."""
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth.login(request, user)
        audit_record_create(actor=Actor(label=f"user:{user.username}", user=user), action="user.signed_in", obj=user)
        if user.role in PARTNER_ROLES:
            return redirect(_next_or(request, "portal:home"))
        return redirect("site:two_factor")
    status = 429 if form.has_error(NON_FIELD_ERRORS, "locked") else 200
    return render(request, "site/auth/login.html", {"form": form}, status=status)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def two_factor_view(request: HttpRequest) -> HttpResponse:
    """Staff confirm a TOTP code; the first time, they first add the key to their authenticator app."""
    user = request.user
    if not user.is_authenticated:
        return redirect("site:login")
    if user.role in PARTNER_ROLES:
        return redirect("portal:home")
    if second_factor_passed(user):
        return redirect("console:home")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _detail = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait a few seconds and try again."))
        elif device.verify_token(form.cleaned_data["token"].strip()):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_or(request, "console:home"))
        else:
            form.add_error("token", _("That code is not valid. Check the time on your phone and try again."))
    context = {"form": form, "setting_up": setting_up}
    if setting_up:
        context |= {"secret": base64.b32encode(device.bin_key).decode(), "qr_svg": _qr_svg(device.config_url)}
    return render(request, "site/auth/two_factor.html", context)


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("site:login")
