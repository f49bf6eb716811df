"""The columns of a deal registrations export (CSV or Excel), the same in the portal and the console."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parceria.deals.models import DealRegistration


def export_header() -> list[str]:
    return [_("Registration"), _("Company"), _("Tax id"), _("Web domain"), _("Estimated value"), _("Currency"),
            _("Status"), _("Registered"), _("Expires")]


def export_row(r: DealRegistration) -> list[object]:
    return [r.pk, r.company_name, r.tax_id, r.domain, r.estimated_value, r.currency, r.get_status_display(),
            r.created_at, r.expires_on]
