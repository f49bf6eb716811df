"""Notifications in the portal: each user's own e-mail choices; for the partner's admins, the chat webhook."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parceria.accounts.tenancy import Ability
from parceria.notifications.forms import ChatWebhookForm, PreferencesForm
from parceria.notifications.models import ChatWebhook
from parceria.notifications.rules import NOTIFIABLE
from parceria.notifications.selectors import delivery_log
from parceria.notifications.services import (
    chat_webhook_delete,
    chat_webhook_save,
    chat_webhook_test,
    preferences_of,
    preferences_set,
)
from parceria.web.access import actor, may, partner_of, partner_required, portal_user, principal_for
from parceria.web.forms import attempt


def _chat_form(chat: ChatWebhook | None) -> ChatWebhookForm:
    if chat is None:
        return ChatWebhookForm(initial={"event_types": list(NOTIFIABLE)})
    return ChatWebhookForm(initial={"url": chat.url, "event_types": chat.event_types, "language": chat.language})


def _render(request: HttpRequest, form: PreferencesForm, chat_form: ChatWebhookForm | None,
            status: int = 200) -> HttpResponse:
    is_admin = may(request, Ability.MANAGE_USERS)
    chat = ChatWebhook.objects.filter(partner=partner_of(request)).first() if is_admin else None
    recent = list(delivery_log(principal_for(request)).filter(user=portal_user(request))[:10])
    return render(request, "notifications/portal/settings.html", {
        "nav": "notifications", "form": form, "is_admin": is_admin, "chat": chat,
        "chat_form": chat_form or (_chat_form(chat) if is_admin else None), "recent": recent,
    }, status=status)


@partner_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = portal_user(request)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            preferences_set(user=user, email_on=form.cleaned_data["email_on"], actor=actor(request))
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications_portal:settings")
        return _render(request, form, None, status=422)
    chosen = preferences_of(user)
    return _render(request, PreferencesForm(initial={"email_on": [t for t, on in chosen.items() if on]}), None)


def _tested(chat: ChatWebhook, request: HttpRequest) -> bool:
    chat_webhook_test(chat=chat, actor=actor(request))
    return True


@partner_required
@require_POST
def chat_action(request: HttpRequest) -> HttpResponse:
    """The chat webhook's buttons (partner admins): save, test, delete."""
    if not may(request, Ability.MANAGE_USERS):
        raise PermissionDenied("only the partner's admins set the chat webhook")
    partner = partner_of(request)
    chat = ChatWebhook.objects.filter(partner=partner).select_related("partner").first()
    action = request.POST.get("action", "save")
    if action == "save":
        form = ChatWebhookForm(request.POST)
        saved = form.is_valid() and attempt(form, lambda: chat_webhook_save(
            partner=partner, url=form.cleaned_data["url"], event_types=form.cleaned_data["event_types"],
            language=form.cleaned_data["language"], actor=actor(request)), "url")
        if not saved:
            chosen = preferences_of(portal_user(request))
            pref = PreferencesForm(initial={"email_on": [t for t, on in chosen.items() if on]})
            return _render(request, pref, form, status=422)
        messages.success(request, _("The chat webhook is saved."))
    elif chat is None:
        messages.error(request, _("No chat webhook is set."))
    elif action == "test":
        form = ChatWebhookForm()
        if attempt(form, lambda: _tested(chat, request)):
            messages.success(request, _("A test message was sent to the chat."))
        else:
            messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
    elif action == "delete":
        chat_webhook_delete(chat=chat, actor=actor(request))
        messages.success(request, _("The chat webhook is removed."))
    else:
        return HttpResponse(status=400)
    return redirect("notifications_portal:settings")
