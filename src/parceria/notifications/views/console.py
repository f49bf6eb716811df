"""Notifications in the console: the delivery log (every notification, with filters) and one's own settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from parceria.accounts.tenancy import Ability
from parceria.notifications.forms import LogFilterForm, PreferencesForm
from parceria.notifications.selectors import delivery_log
from parceria.notifications.services import preferences_of, preferences_set
from parceria.web.access import actor, console_view, principal_for
from parceria.web.pages import page
from parceria.web.tables import build_table, export_response, wants_export

LOG_SORTS = {"created": "created_at", "attempts": "attempts"}


@console_view()
def log(request: HttpRequest) -> HttpResponse:
    form = LogFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = delivery_log(principal_for(request), status=filters.get("status", ""),
                        channel=filters.get("channel", ""), event_type=filters.get("event_type", ""),
                        partner_id=filters.get("partner"))
    table = build_table(request, rows, sortable=LOG_SORTS, default_sort="-created")
    if wants_export(request):
        lines = ((n.pk, n.created_at, n.partner.name if n.partner else "", n.event_type, n.get_channel_display(),
                  n.user.username if n.user else "", n.language, n.get_status_display(), n.attempts, n.subject,
                  n.last_error, n.sent_at) for n in table.page.paginator.object_list)
        header = [_("Notification"), _("Created"), _("Partner"), _("Event"), _("Channel"), _("Recipient"),
                  _("Language"), _("Status"), _("Attempts"), _("Subject"), _("Last error"), _("Sent at")]
        return export_response(request, "notifications", header, lines)
    return page(request, "notifications/console/log.html",
                {"form": form, "table": table}, nav="notifications")


@console_view(read=Ability.READ, write=Ability.READ)
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            preferences_set(user=user, email_on=form.cleaned_data["email_on"], actor=actor(request))  # type: ignore[arg-type]
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications_console:settings")
    else:
        chosen = preferences_of(user)  # type: ignore[arg-type]
        form = PreferencesForm(initial={"email_on": [t for t, on in chosen.items() if on]})
    return page(request, "notifications/console/settings.html", {"form": form}, nav="notifications",
                status=422 if form.errors else 200)
